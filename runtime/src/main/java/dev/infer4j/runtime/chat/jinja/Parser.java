package dev.infer4j.runtime.chat.jinja;

import dev.infer4j.runtime.chat.jinja.Token.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser following jinja2's grammar and operator precedence. */
final class Parser {
    /** Guards the Java stack against templates such as {@code ((((((...)))))) }. */
    private static final int MAX_NESTING = 200;

    private final List<Token> tokens;
    private int index;
    private int nesting;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Node> body = p.subparse(Set.of());
        if (p.current().kind() != Kind.EOF) {
            throw JinjaException.syntax("unexpected " + p.current().describe(), p.current().line());
        }
        return body;
    }

    private Token current() {
        return tokens.get(index);
    }

    private Token peek() {
        return tokens.get(Math.min(index + 1, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(index);
        if (index < tokens.size() - 1) {
            index++;
        }
        return t;
    }

    private boolean skipOp(String op) {
        if (current().isOp(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private Token expect(Kind kind, String text) {
        Token t = current();
        if (t.kind() != kind || (text != null && !t.text().equals(text))) {
            String wanted = text != null ? "'" + text + "'" : kind.name().toLowerCase(java.util.Locale.ROOT);
            throw JinjaException.syntax("expected " + wanted + ", got " + t.describe(), t.line());
        }
        return next();
    }

    private String expectName() {
        return expect(Kind.NAME, null).text();
    }

    private void expectBlockEnd() {
        expect(Kind.BLOCK_END, null);
    }

    private void enter() {
        if (++nesting > MAX_NESTING) {
            throw JinjaException.syntax("template nests deeper than " + MAX_NESTING + " levels", current().line());
        }
    }

    /** Parses nodes until a block tag whose name is in {@code endNames}; leaves that name as the current token. */
    private List<Node> subparse(Set<String> endNames) {
        enter();
        List<Node> body = new ArrayList<>();
        while (true) {
            Token t = current();
            switch (t.kind()) {
                case DATA -> {
                    next();
                    body.add(new Node.Text(t.text()));
                }
                case VAR_BEGIN -> {
                    next();
                    body.add(new Node.Print(parseTuple(false, true, Set.of(), false)));
                    expect(Kind.VAR_END, null);
                }
                case BLOCK_BEGIN -> {
                    next();
                    Token tag = current();
                    if (tag.kind() == Kind.NAME && endNames.contains(tag.text())) {
                        nesting--;
                        return body;
                    }
                    body.add(statement());
                }
                case EOF -> {
                    if (!endNames.isEmpty()) {
                        throw JinjaException.syntax("unexpected end of template, expected one of " + endNames,
                            t.line());
                    }
                    nesting--;
                    return body;
                }
                default -> throw JinjaException.syntax("unexpected " + t.describe(), t.line());
            }
        }
    }

    private Node statement() {
        Token tag = current();
        if (tag.kind() != Kind.NAME) {
            throw JinjaException.syntax("tag name expected", tag.line());
        }
        next();
        return switch (tag.text()) {
            case "if" -> parseIf();
            case "for" -> parseFor();
            case "set" -> parseSet();
            case "macro" -> parseMacro();
            case "call" -> parseCallBlock();
            case "filter" -> parseFilterBlock();
            case "with" -> parseWith();
            case "generation" -> {
                expectBlockEnd();
                List<Node> body = subparse(Set.of("endgeneration"));
                next();
                expectBlockEnd();
                yield new Node.Group(body);
            }
            case "break" -> {
                expectBlockEnd();
                yield new Node.Break();
            }
            case "continue" -> {
                expectBlockEnd();
                yield new Node.Continue();
            }
            default -> throw JinjaException.syntax("Encountered unknown tag '" + tag.text() + "'", tag.line());
        };
    }

    private Node parseIf() {
        List<Node.Branch> branches = new ArrayList<>();
        List<Node> otherwise = List.of();
        Expr test = parseTuple(false, false, Set.of(), false);
        while (true) {
            expectBlockEnd();
            List<Node> body = subparse(Set.of("elif", "else", "endif"));
            branches.add(new Node.Branch(test, body));
            String end = next().text();
            if (end.equals("elif")) {
                test = parseTuple(false, false, Set.of(), false);
                continue;
            }
            if (end.equals("else")) {
                expectBlockEnd();
                otherwise = subparse(Set.of("endif"));
                next();
            }
            expectBlockEnd();
            return new Node.If(branches, otherwise);
        }
    }

    private Node parseFor() {
        Node.Target target = parseAssignTarget(true, false, Set.of("in"));
        expect(Kind.NAME, "in");
        Expr iterable = parseTuple(false, false, Set.of("recursive"), false);
        Expr filter = skipName("if") ? parseExpression(true) : null;
        boolean recursive = skipName("recursive");
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endfor", "else"));
        List<Node> otherwise = List.of();
        if (next().text().equals("else")) {
            expectBlockEnd();
            otherwise = subparse(Set.of("endfor"));
            next();
        }
        expectBlockEnd();
        return new Node.For(target, iterable, filter, body, otherwise, recursive);
    }

    private Node parseSet() {
        Node.Target target = parseAssignTarget(true, true, Set.of());
        if (skipOp("=")) {
            Expr value = parseTuple(false, true, Set.of(), false);
            expectBlockEnd();
            return new Node.Set(target, value);
        }
        Expr filter = current().isOp("|") ? parseFilter(null, false) : null;
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endset"));
        next();
        expectBlockEnd();
        return new Node.SetBlock(target, filter, body);
    }

    private Node parseMacro() {
        String name = expectName();
        List<Node.Param> params = parseSignature();
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endmacro"));
        next();
        if (current().kind() == Kind.NAME) {
            next();
        }
        expectBlockEnd();
        return new Node.Macro(name, params, body);
    }

    private List<Node.Param> parseSignature() {
        List<Node.Param> params = new ArrayList<>();
        expect(Kind.OP, "(");
        while (!current().isOp(")")) {
            if (!params.isEmpty()) {
                expect(Kind.OP, ",");
                if (current().isOp(")")) {
                    break;
                }
            }
            String name = expectName();
            Expr def = skipOp("=") ? parseExpression(true) : null;
            params.add(new Node.Param(name, def));
        }
        next();
        return params;
    }

    private Node parseCallBlock() {
        List<Node.Param> params = current().isOp("(") ? parseSignature() : List.of();
        Expr call = parseExpression(true);
        if (!(call instanceof Expr.Call c)) {
            throw JinjaException.syntax("expected call", current().line());
        }
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endcall"));
        next();
        expectBlockEnd();
        return new Node.CallBlock(c, params, body);
    }

    private Node parseFilterBlock() {
        Expr filter = parseFilter(null, true);
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endfilter"));
        next();
        expectBlockEnd();
        return new Node.FilterBlock(filter, body);
    }

    private Node parseWith() {
        List<Node.Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expect(Kind.OP, ",");
            }
            targets.add(parseAssignTarget(true, false, Set.of()));
            expect(Kind.OP, "=");
            values.add(parseExpression(true));
        }
        expectBlockEnd();
        List<Node> body = subparse(Set.of("endwith"));
        next();
        expectBlockEnd();
        return new Node.With(targets, values, body);
    }

    private Node.Target parseAssignTarget(boolean withTuple, boolean withNamespace, Set<String> extraEnd) {
        Token t = current();
        if (withNamespace && t.kind() == Kind.NAME && peek().isOp(".")) {
            next();
            next();
            return new Node.Target.Attr(t.text(), expectName(), t.line());
        }
        Expr e = withTuple ? parseTuple(true, true, extraEnd, false) : parsePrimary();
        return toTarget(e, t.line());
    }

    private Node.Target toTarget(Expr e, int line) {
        return switch (e) {
            case Expr.Name n -> new Node.Target.Name(n.name());
            case Expr.TupleLit tl -> {
                List<Node.Target> items = new ArrayList<>();
                for (Expr item : tl.items()) {
                    items.add(toTarget(item, line));
                }
                yield new Node.Target.Unpack(items);
            }
            default -> throw JinjaException.syntax("can't assign to " + e.getClass().getSimpleName(), line);
        };
    }

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token t = current();
        return switch (t.kind()) {
            case VAR_END, BLOCK_END, EOF -> true;
            case OP -> t.text().equals(")");
            case NAME -> extraEnd.contains(t.text());
            default -> false;
        };
    }

    private Expr parseTuple(boolean simplified, boolean withCondexpr, Set<String> extraEnd, boolean explicitParens) {
        int line = current().line();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expect(Kind.OP, ",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            items.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (current().isOp(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.getFirst();
            }
            if (!explicitParens) {
                throw JinjaException.syntax("Expected an expression, got " + current().describe(), line);
            }
        }
        return new Expr.TupleLit(items);
    }

    private Expr parseExpression(boolean withCondexpr) {
        enter();
        try {
            return withCondexpr ? parseCondexpr() : parseOr();
        } finally {
            nesting--;
        }
    }

    private Expr parseCondexpr() {
        Expr expr = parseOr();
        while (skipName("if")) {
            Expr test = parseOr();
            Expr otherwise = skipName("else") ? parseCondexpr() : null;
            expr = new Expr.Conditional(test, expr, otherwise);
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (skipName("or")) {
            left = new Expr.Or(left, parseAnd());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (skipName("and")) {
            left = new Expr.And(left, parseNot());
        }
        return left;
    }

    private Expr parseNot() {
        if (skipName("not")) {
            enter();
            try {
                return new Expr.Not(parseNot());
            } finally {
                nesting--;
            }
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.kind() == Kind.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek().isName("in")) {
                next();
                next();
                ops.add("not in");
            } else {
                break;
            }
            rest.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (current().isOp("+") || current().isOp("-")) {
            String op = next().text();
            left = new Expr.Binary(op, left, parseConcat());
        }
        return left;
    }

    private Expr parseConcat() {
        List<Expr> parts = new ArrayList<>();
        parts.add(parseMath2());
        while (skipOp("~")) {
            parts.add(parseMath2());
        }
        return parts.size() == 1 ? parts.getFirst() : new Expr.Concat(parts);
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (current().kind() == Kind.OP && Set.of("*", "/", "//", "%").contains(current().text())) {
            String op = next().text();
            left = new Expr.Binary(op, left, parsePow());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (skipOp("**")) {
            left = new Expr.Binary("**", left, parseUnary(true));
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        enter();
        try {
            Expr node;
            if (skipOp("-")) {
                node = new Expr.Unary("-", parseUnary(false));
            } else if (skipOp("+")) {
                node = new Expr.Unary("+", parseUnary(false));
            } else {
                node = parsePrimary();
            }
            node = parsePostfix(node);
            return withFilter ? parseFilterExpr(node) : node;
        } finally {
            nesting--;
        }
    }

    private Expr parsePrimary() {
        Token t = current();
        switch (t.kind()) {
            case NAME -> {
                next();
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Const(Boolean.TRUE);
                    case "false", "False" -> new Expr.Const(Boolean.FALSE);
                    case "none", "None" -> new Expr.Const(null);
                    default -> new Expr.Name(t.text(), t.line());
                };
            }
            case STRING -> {
                StringBuilder b = new StringBuilder((String) next().value());
                while (current().kind() == Kind.STRING) {
                    b.append((String) next().value());
                }
                return new Expr.Const(b.toString());
            }
            case INTEGER, FLOAT -> {
                next();
                return new Expr.Const(t.value());
            }
            case OP -> {
                switch (t.text()) {
                    case "(" -> {
                        next();
                        Expr e = parseTuple(false, true, Set.of(), true);
                        expect(Kind.OP, ")");
                        return e;
                    }
                    case "[" -> {
                        return parseList();
                    }
                    case "{" -> {
                        return parseDict();
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        throw JinjaException.syntax("unexpected " + t.describe(), t.line());
    }

    private Expr parseList() {
        expect(Kind.OP, "[");
        List<Expr> items = new ArrayList<>();
        while (!current().isOp("]")) {
            if (!items.isEmpty()) {
                expect(Kind.OP, ",");
            }
            if (current().isOp("]")) {
                break;
            }
            items.add(parseExpression(true));
        }
        expect(Kind.OP, "]");
        return new Expr.ListLit(items);
    }

    private Expr parseDict() {
        expect(Kind.OP, "{");
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!current().isOp("}")) {
            if (!keys.isEmpty()) {
                expect(Kind.OP, ",");
            }
            if (current().isOp("}")) {
                break;
            }
            keys.add(parseExpression(true));
            expect(Kind.OP, ":");
            values.add(parseExpression(true));
        }
        expect(Kind.OP, "}");
        return new Expr.DictLit(keys, values);
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            if (current().isOp(".") || current().isOp("[")) {
                node = parseSubscript(node);
            } else if (current().isOp("(")) {
                node = new Expr.Call(node, parseCallArgs());
            } else {
                return node;
            }
        }
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            if (current().isOp("|")) {
                node = parseFilter(node, false);
            } else if (current().isName("is")) {
                node = parseTest(node);
            } else if (current().isOp("(")) {
                node = new Expr.Call(node, parseCallArgs());
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node) {
        Token t = next();
        if (t.isOp(".")) {
            Token attr = next();
            if (attr.kind() == Kind.NAME) {
                return new Expr.GetAttr(node, attr.text());
            }
            if (attr.kind() == Kind.INTEGER) {
                return new Expr.GetItem(node, new Expr.Const(attr.value()));
            }
            throw JinjaException.syntax("expected name or number after '.'", attr.line());
        }
        List<Expr> args = new ArrayList<>();
        while (!current().isOp("]")) {
            if (!args.isEmpty()) {
                expect(Kind.OP, ",");
                if (current().isOp("]")) {
                    break;
                }
            }
            args.add(parseSubscribed());
        }
        expect(Kind.OP, "]");
        Expr key = args.size() == 1 ? args.getFirst() : new Expr.TupleLit(args);
        return new Expr.GetItem(node, key);
    }

    private Expr parseSubscribed() {
        Expr start = null;
        if (!current().isOp(":")) {
            start = parseExpression(true);
            if (!current().isOp(":")) {
                return start;
            }
        }
        next();
        Expr stop = null;
        Expr step = null;
        if (!current().isOp(":") && !current().isOp("]") && !current().isOp(",")) {
            stop = parseExpression(true);
        }
        if (skipOp(":")) {
            if (!current().isOp("]") && !current().isOp(",")) {
                step = parseExpression(true);
            }
        }
        return new Expr.Slice(start, stop, step);
    }

    private Expr.Args parseCallArgs() {
        expect(Kind.OP, "(");
        List<Expr> positional = new ArrayList<>();
        List<Expr.Kwarg> keywords = new ArrayList<>();
        Expr star = null;
        Expr starStar = null;
        boolean first = true;
        while (!current().isOp(")")) {
            if (!first) {
                expect(Kind.OP, ",");
                if (current().isOp(")")) {
                    break;
                }
            }
            first = false;
            if (skipOp("*")) {
                star = parseExpression(true);
            } else if (skipOp("**")) {
                starStar = parseExpression(true);
            } else if (current().kind() == Kind.NAME && peek().isOp("=")) {
                String name = next().text();
                next();
                keywords.add(new Expr.Kwarg(name, parseExpression(true)));
            } else {
                if (!keywords.isEmpty() || starStar != null) {
                    throw JinjaException.syntax("positional argument follows keyword argument", current().line());
                }
                positional.add(parseExpression(true));
            }
        }
        next();
        return new Expr.Args(positional, keywords, star, starStar);
    }

    private String dottedName() {
        StringBuilder name = new StringBuilder(expectName());
        while (current().isOp(".") && peek().kind() == Kind.NAME) {
            next();
            name.append('.').append(next().text());
        }
        return name.toString();
    }

    private Expr parseFilter(Expr node, boolean startInline) {
        while (current().isOp("|") || startInline) {
            if (!startInline) {
                next();
            }
            startInline = false;
            int line = current().line();
            String name = dottedName();
            Expr.Args args = current().isOp("(") ? parseCallArgs() : Expr.Args.NONE;
            node = new Expr.Filter(node, name, args, line);
        }
        return node;
    }

    private Expr parseTest(Expr node) {
        int line = next().line();
        boolean negated = skipName("not");
        String name = dottedName();
        Expr.Args args = Expr.Args.NONE;
        Token t = current();
        if (t.isOp("(")) {
            args = parseCallArgs();
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
            || t.kind() == Kind.FLOAT || t.isOp("(") || t.isOp("[") || t.isOp("{"))
            && !(t.isName("else") || t.isName("or") || t.isName("and"))) {
            if (t.isName("is")) {
                throw JinjaException.syntax("You cannot chain multiple tests with is", t.line());
            }
            Expr arg = parsePostfix(parsePrimary());
            args = new Expr.Args(List.of(arg), List.of(), null, null);
        }
        Expr test = new Expr.Test(node, name, args, line);
        return negated ? new Expr.Not(test) : test;
    }
}
