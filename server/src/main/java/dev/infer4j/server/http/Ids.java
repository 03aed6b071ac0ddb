package dev.infer4j.server.http;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Response ids: 24 random hex digits, unique enough to tell responses apart in logs. */
final class Ids {

    private Ids() {
    }

    static String random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextInt());
    }
}
