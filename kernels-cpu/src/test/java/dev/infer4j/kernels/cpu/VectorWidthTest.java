package dev.infer4j.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How the kernels' vector width follows the CPU, and how the override property is read. */
class VectorWidthTest {

    @Test
    void followsThePreferredVectorWhenNotOverridden() {
        assertEquals(VectorWidth.W512, VectorWidth.detect(null, 512));
        assertEquals(VectorWidth.W256, VectorWidth.detect(null, 256));
        assertEquals(VectorWidth.W256, VectorWidth.detect("  ", 128), "a CPU with 128-bit vectors gets the narrower form");
    }

    @Test
    void thePropertyOverridesTheCpu() {
        assertEquals(VectorWidth.W256, VectorWidth.detect("256", 512));
        assertEquals(VectorWidth.W512, VectorWidth.detect(" 512 ", 256));
    }

    @Test
    void anyOtherPropertyValueIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorWidth.detect("128", 512));
        assertTrue(e.getMessage().contains(VectorWidth.PROPERTY) && e.getMessage().contains("'128'"), e.getMessage());
    }

    /** A bad value in the JVM's own property is an error naming it when kernels are made, not a failed class. */
    @Test
    void aBadPropertyIsAPlainErrorWhenKernelsAreMade() {
        String before = System.getProperty(VectorWidth.PROPERTY);
        System.setProperty(VectorWidth.PROPERTY, "wide");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, VectorWidth::detected);
            assertTrue(e.getMessage().contains("'wide'"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(VectorWidth.PROPERTY);
            } else {
                System.setProperty(VectorWidth.PROPERTY, before);
            }
        }
        VectorWidth.detected(); // and fine again once the property is gone
    }
}
