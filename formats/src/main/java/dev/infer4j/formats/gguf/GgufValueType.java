package dev.infer4j.formats.gguf;

/** The metadata value types of GGUF, with their ids and the fixed size of the scalar ones. */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** A uint64 length followed by UTF-8 bytes. */
    STRING(8, -1),
    /** An element type, a uint64 count, then the elements. */
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The id GGUF stores. */
    public int id() {
        return id;
    }

    /** Bytes of one value, or -1 for the variable-length string and array. */
    public int size() {
        return size;
    }

    /** The fewest bytes one value of this type can take in a file (used to bound counts read from it). */
    public int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }

    /** The type with this id, or {@code null}. */
    public static GgufValueType byId(int id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
