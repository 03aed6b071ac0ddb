package dev.infer4j.formats.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One GGUF metadata value: a scalar, a string, or an array (arrays may nest).
 *
 * <p>Scalars are held boxed ({@code Long} for every integer type, with unsigned values widened,
 * {@code Float}/{@code Double}, {@code Boolean}, {@code String}). Arrays of numbers are held as the
 * primitive array of their stored width ({@code byte[]} for UINT8/INT8/BOOL, {@code short[]}, {@code int[]},
 * {@code long[]}, {@code float[]}, {@code double[]}) so a 100k-entry score table costs 400 KB, not millions of
 * boxes; arrays of strings as {@code String[]}; nested arrays as {@code GgufValue[]}. The declared type is kept
 * so that a writer reproduces the file exactly.
 *
 * @param type        the declared type
 * @param elementType the element type when {@code type} is ARRAY, else {@code null}
 * @param value       the payload as described above
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    /** Checks that the payload fits the declared type. */
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("elementType is required exactly for arrays");
        }
    }

    /** A string value. */
    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, null, s);
    }

    /** A UINT32 value. */
    public static GgufValue ofUInt32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a uint32: " + v);
        }
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    /** An INT32 value. */
    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, null, (long) v);
    }

    /** A UINT64 value. */
    public static GgufValue ofUInt64(long v) {
        return new GgufValue(GgufValueType.UINT64, null, v);
    }

    /** A FLOAT32 value. */
    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, v);
    }

    /** A BOOL value. */
    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    /** An array of strings. */
    public static GgufValue ofStrings(String[] values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, values.clone());
    }

    /** An array of FLOAT32. */
    public static GgufValue ofFloats(float[] values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone());
    }

    /** An array of INT32. */
    public static GgufValue ofInts(int[] values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, values.clone());
    }

    /** The integer value of an integer scalar (unsigned types widened). */
    public long asLong() {
        if (value instanceof Long l) {
            return l;
        }
        throw typeError("an integer");
    }

    /** The integer value of an integer scalar that must fit an {@code int}. */
    public int asInt() {
        long v = asLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalStateException("value " + v + " does not fit an int");
        }
        return (int) v;
    }

    /** Any numeric scalar as a double. */
    public double asDouble() {
        return switch (value) {
            case Long l -> l;
            case Float f -> f;
            case Double d -> d;
            default -> throw typeError("a number");
        };
    }

    /** Any numeric scalar as a float. */
    public float asFloat() {
        return (float) asDouble();
    }

    /** A BOOL scalar. */
    public boolean asBoolean() {
        if (value instanceof Boolean b) {
            return b;
        }
        throw typeError("a bool");
    }

    /** A STRING scalar. */
    public String asString() {
        if (value instanceof String s) {
            return s;
        }
        throw typeError("a string");
    }

    /** An array of strings (the returned array is shared; do not modify it). */
    public String[] asStringArray() {
        if (value instanceof String[] s) {
            return s;
        }
        throw typeError("an array of strings");
    }

    /** An array of FLOAT32 (shared; do not modify), or of another numeric type converted. */
    public float[] asFloatArray() {
        if (value instanceof float[] f) {
            return f;
        }
        int n = arrayLength();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) numberAt(i);
        }
        return out;
    }

    /** An array of any integer type converted to ints (values must fit). */
    public int[] asIntArray() {
        if (value instanceof int[] a && elementType == GgufValueType.INT32) {
            return a;
        }
        int n = arrayLength();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double d = numberAt(i);
            if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
                throw new IllegalStateException("array element " + i + " = " + d + " is not an int");
            }
            out[i] = (int) d;
        }
        return out;
    }

    /** Number of elements of an array value. */
    public int arrayLength() {
        return switch (value) {
            case byte[] a -> a.length;
            case short[] a -> a.length;
            case int[] a -> a.length;
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case String[] a -> a.length;
            case GgufValue[] a -> a.length;
            default -> throw typeError("an array");
        };
    }

    private double numberAt(int i) {
        boolean unsigned = elementType == GgufValueType.UINT8 || elementType == GgufValueType.UINT16
                || elementType == GgufValueType.UINT32;
        return switch (value) {
            case byte[] a -> unsigned ? Byte.toUnsignedInt(a[i]) : a[i];
            case short[] a -> unsigned ? Short.toUnsignedInt(a[i]) : a[i];
            case int[] a -> unsigned ? Integer.toUnsignedLong(a[i]) : a[i];
            case long[] a -> a[i];
            case float[] a -> a[i];
            case double[] a -> a[i];
            default -> throw typeError("a numeric array");
        };
    }

    private IllegalStateException typeError(String wanted) {
        String declared = elementType == null ? type.name() : "ARRAY of " + elementType;
        return new IllegalStateException("expected " + wanted + " but the value is " + declared);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufValue other && type == other.type && elementType == other.elementType
                && Arrays.deepEquals(new Object[] {value}, new Object[] {other.value});
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(type, elementType) + Arrays.deepHashCode(new Object[] {value});
    }

    @Override
    public String toString() {
        if (type != GgufValueType.ARRAY) {
            return type == GgufValueType.STRING ? '"' + (String) value + '"' : String.valueOf(value);
        }
        int n = arrayLength();
        StringBuilder sb = new StringBuilder("[").append(elementType).append(" x ").append(n).append(": ");
        String inner = Arrays.deepToString(new Object[] {value});
        inner = inner.substring(2, inner.length() - 2);
        sb.append(inner.length() > 120 ? inner.substring(0, 117) + "..." : inner);
        return sb.append(']').toString();
    }
}
