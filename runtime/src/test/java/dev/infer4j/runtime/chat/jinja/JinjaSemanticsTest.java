package dev.infer4j.runtime.chat.jinja;

import dev.infer4j.runtime.chat.TextDiffs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Small templates, each aimed at one piece of Jinja or Python semantics, with the output Python's jinja2 3.1.6
 * gives in Hugging Face's environment ({@code ImmutableSandboxedEnvironment}, {@code trim_blocks},
 * {@code lstrip_blocks}, loop controls, {@code tojson} as {@code json.dumps}). The expected strings were produced
 * by running jinja2 on these exact sources.
 */
class JinjaSemanticsTest {
    static Stream<Arguments> cases() {
        return Stream.of(
            Arguments.of("{% for x in [1,2,3] %}\n  {{ x }}\n{% endfor %}\n",
                "  1\n  2\n  3\n"),
            Arguments.of("a  {%- if true %} b {% endif -%}  c\n  {# note #}\nd",
                "a b c\nd"),
            Arguments.of("{% for x in 'abc' %}{{ loop.index }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.previtem }}{{ loop.nextitem }}|{% endfor %}",
                "12TrueFalseb|21FalseFalseac|30FalseTrueb|"),
            Arguments.of("{% set ns = namespace(n=0) %}{% for i in range(5) %}{% if i is even %}{% set ns.n = ns.n + i %}{% endif %}{% endfor %}{{ ns.n }}",
                "6"),
            Arguments.of("{{ 'h\u00e9llo w\u00f6rld \ud83d\udc4b'[::-1] }}|{{ 'abcdef'[1:-1:2] }}|{{ [1,2,3,4][-2:] }}|{{ 'x\ud83d\udc4by'|length }}",
                "\ud83d\udc4b dlr\u00f6w oll\u00e9h|bd|[3, 4]|3"),
            Arguments.of("{{ '  a b  '.strip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a-b-c'.rsplit('-', 1) }}|{{ 'xxhixx'.lstrip('x') }}|{{ 'Hello'.startswith(('He','x')) }}",
                "a b|['a', 'b', '', 'c']|['a', 'b']|['a-b', 'c']|hixx|True"),
            Arguments.of("{{ {'b': 1, 'a': [1.5, None, True, 'q\"\\'s']}|tojson }}|{{ {'b': 1, 'a': 2}|tojson(sort_keys=True) }}|{{ [1,{'k':'v'}]|tojson(indent=2) }}|{{ '\u00e9\ud83d\udc4b\\n'|tojson(ensure_ascii=True) }}|{{ {'a':1}|tojson(separators=(',',':')) }}",
                "{\"b\": 1, \"a\": [1.5, null, true, \"q\\\"'s\"]}|{\"a\": 2, \"b\": 1}|[\n  1,\n  {\n    \"k\": \"v\"\n  }\n]|\"\\u00e9\\ud83d\\udc4b\\n\"|{\"a\":1}"),
            Arguments.of("{{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.5e-7 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 100000000000000000.0 }}",
                "1.0 0.30000000000000004 1e+20 1.5e-07 3.5 3 2 1024 1e+17"),
            Arguments.of("{{ {'a': [1, 'x', None, True, 1.5], 'b': {'c': (1,)}} }}|{{ \"it's\" }}|{{ ['it\\'s', \"q\\\"\"] }}",
                "{'a': [1, 'x', None, True, 1.5], 'b': {'c': (1,)}}|it's|[\"it's\", 'q\"']"),
            Arguments.of("{% set d = {'items': 5, 'x': 1} %}{{ d['items'] }}|{{ d.x }}|{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
                "5|1|items=5;x=1;"),
            Arguments.of("{{ none is none }}{{ 1 is number }}{{ true is number }}{{ true is integer }}{{ 'a' is string }}{{ {} is mapping }}{{ [] is iterable }}{{ 'a' is sequence }}{{ x is defined }}{{ 3 is divisibleby 3 }}{{ 'a' is equalto 'a' }}",
                "TrueTrueTrueFalseTrueTrueTrueTrueFalseTrueTrue"),
            Arguments.of("{{ {'b': 2, 'A': 1}|dictsort }}|{{ 'line1\\nline2\\n\\nline3'|indent(2) }}|{{ [3,1,2]|sort|list }}|{{ [{'n':'b'},{'n':'a'}]|sort(attribute='n')|map(attribute='n')|join(',') }}|{{ ['a','A','b']|unique|list }}",
                "[('A', 1), ('b', 2)]|line1\n  line2\n\n  line3|[1, 2, 3]|a,b|['a', 'b']"),
            Arguments.of("{{ [{'r':'u'},{'r':'a'},{'r':'u'}]|selectattr('r','equalto','u')|list|length }}|{{ [1,0,2]|select|list }}|{{ ['a','b']|map('upper')|join }}|{{ none|default('d') }}|{{ x|default('d') }}|{{ ''|default('e', true) }}",
                "2|[1, 2]|AB|None|d|e"),
            Arguments.of("{{ 'a'|safe + '<b>' }}|{{ '<c>' + ('d'|safe) }}|{{ ('x'|safe) ~ '<y>' }}|{{ '<z>'|e }}",
                "a&lt;b&gt;|&lt;c&gt;d|x<y>|&lt;z&gt;"),
            Arguments.of("{% for x in [] %}no{% else %}empty{% endfor %}|{% for x in [1,2,3,4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}",
                "empty|13"),
            Arguments.of("{% macro m(a, b='B') %}[{{ a }}{{ b }}{{ varargs }}{{ kwargs }}]{% endmacro %}{{ m(1) }}{{ m(1, 2, 3, k=4) }}{{ m(b='x', a='y') }}",
                "[1B(){}][12(3,){'k': 4}][yx(){}]"),
            Arguments.of("{% set t %} in block {% endset %}[{{ t }}]{% filter upper %}abc{% endfilter %}{% set u | trim %}  v  {% endset %}[{{ u }}]",
                "[ in block ]ABC[v]"),
            Arguments.of("{% for item in [{'c': [{'c': []}]}, {'c': []}] recursive %}<{{ loop.depth }}{{ loop(item.c) }}>{% endfor %}",
                "<1<2>><1>"),
            Arguments.of("{{ 'a' if false }}|{{ 'a' if false else 'b' }}|{{ 1 < 2 < 3 }}|{{ 'b' in 'abc' }}|{{ 3 not in [1,2] }}|{{ not false and (true or false) }}|{{ 'x' ~ 1 ~ none }}",
                "|b|True|True|True|True|x1None"),
            Arguments.of("{{ 'The %s is %d' % ('answer', 42) }}|{{ '%05.2f' % 3.14159 }}|{{ 'Hello World'|title }}|{{ 'hello'|capitalize }}|{{ 'a b c'|wordcount }}|{{ 2.5|round }}|{{ 3.7|int }}|{{ '42'|int + 1 }}|{{ 3|float }}",
                "The answer is 42|03.14|Hello World|Hello|3|2.0|3|43|3.0"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void rendersLikeJinja2(String source, String expected) {
        String actual = JinjaTemplate.parse(source).render(Map.of(), Map.of(), SandboxLimits.DEFAULT);
        assertEquals(expected, actual, () -> TextDiffs.describe(expected, actual));
    }
}
