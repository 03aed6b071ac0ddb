package dev.infer4j.runtime.chat;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} for a naive local time, as glibc formats it in the C locale, including glibc's
 * padding flags ({@code %-d} drops the zero, {@code %_d} pads with a space, {@code %^b} upper-cases).
 */
final class Strftime {
    private Strftime() {
    }

    static String format(String fmt, LocalDateTime t) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                b.append(c);
                continue;
            }
            char flag = 0;
            char d = fmt.charAt(++i);
            if ((d == '-' || d == '_' || d == '0' || d == '^') && i + 1 < fmt.length()) {
                flag = d;
                d = fmt.charAt(++i);
            }
            String text = switch (d) {
                case 'Y' -> Integer.toString(t.getYear());
                case 'y' -> num(t.getYear() % 100, 2, flag);
                case 'm' -> num(t.getMonthValue(), 2, flag);
                case 'd' -> num(t.getDayOfMonth(), 2, flag);
                case 'e' -> num(t.getDayOfMonth(), 2, flag == 0 ? '_' : flag);
                case 'H' -> num(t.getHour(), 2, flag);
                case 'I' -> num(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, flag);
                case 'M' -> num(t.getMinute(), 2, flag);
                case 'S' -> num(t.getSecond(), 2, flag);
                case 'f' -> String.format("%06d", t.getNano() / 1000);
                case 'j' -> num(t.getDayOfYear(), 3, flag);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
                case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
                case 'F' -> t.getYear() + "-" + num(t.getMonthValue(), 2, (char) 0) + "-"
                    + num(t.getDayOfMonth(), 2, (char) 0);
                case 'T' -> num(t.getHour(), 2, (char) 0) + ":" + num(t.getMinute(), 2, (char) 0) + ":"
                    + num(t.getSecond(), 2, (char) 0);
                case 'D' -> num(t.getMonthValue(), 2, (char) 0) + "/" + num(t.getDayOfMonth(), 2, (char) 0) + "/"
                    + num(t.getYear() % 100, 2, (char) 0);
                case 'Z', 'z' -> "";
                case '%' -> "%";
                default -> "%" + (flag == 0 ? "" : String.valueOf(flag)) + d;
            };
            b.append(flag == '^' ? text.toUpperCase(Locale.ROOT) : text);
        }
        return b.toString();
    }

    private static String num(int value, int width, char flag) {
        String s = Integer.toString(value);
        return switch (flag) {
            case '-' -> s;
            case '_' -> " ".repeat(Math.max(0, width - s.length())) + s;
            default -> "0".repeat(Math.max(0, width - s.length())) + s;
        };
    }
}
