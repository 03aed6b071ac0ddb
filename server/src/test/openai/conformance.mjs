// Checks an OpenAI-compatible server with the official OpenAI Node SDK.
//
//   node conformance.mjs <baseUrl> [apiKey]
//
// baseUrl is the API root, e.g. http://127.0.0.1:8080/v1. When apiKey is given the server must require it, and a
// wrong key must raise AuthenticationError; without it that check is skipped. Greedy requests (temperature 0) must
// be deterministic: the stop and max_tokens checks replay a first answer. Prints each check and
// "N passed, N failed"; exits non-zero if any check failed.
import OpenAI, { AuthenticationError, BadRequestError, NotFoundError } from 'openai';
import assert from 'node:assert/strict';

const baseURL = process.argv[2];
const apiKey = process.argv[3];
if (!baseURL) {
  console.error('usage: node conformance.mjs <baseUrl> [apiKey]');
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey: apiKey ?? 'no-key', maxRetries: 0, timeout: 60_000 });

let passed = 0;
let failed = 0;
let skipped = 0;

async function check(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok    ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL  ${name}: ${e?.stack ?? e}`);
  }
}

function skip(name, why) {
  skipped++;
  console.log(`skip  ${name}: ${why}`);
}

async function expectError(type, promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(e.error && typeof e.error.message === 'string', `error body has a message: ${JSON.stringify(e.error)}`);
    return e;
  }
  assert.fail(`expected ${type.name}, but the request succeeded`);
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function assertUsage(usage) {
  assert.ok(usage, 'usage present');
  assert.ok(Number.isInteger(usage.prompt_tokens) && usage.prompt_tokens > 0, `prompt_tokens ${usage.prompt_tokens}`);
  assert.ok(Number.isInteger(usage.completion_tokens), `completion_tokens ${usage.completion_tokens}`);
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens, 'total = prompt + completion');
}

const messages = [{ role: 'user', content: 'Tell me a short story about a fox.' }];
const prompt = 'Once upon a time';
let model;
let baseline; // a greedy chat answer, replayed by the stop and max_tokens checks

await check('models.list', async () => {
  const page = await client.models.list();
  assert.ok(page.data.length >= 1, 'at least one model');
  for (const m of page.data) {
    assert.equal(m.object, 'model');
    assert.equal(typeof m.id, 'string');
    assert.ok(Number.isInteger(m.created), 'created is an integer');
  }
  model = page.data[0].id;
});
model ??= 'unknown-model';

await check('models.retrieve', async () => {
  const m = await client.models.retrieve(model);
  assert.equal(m.id, model);
});

await check('chat, not streamed', async () => {
  const r = await client.chat.completions.create({ model, messages, max_tokens: 24, temperature: 0 });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices.length, 1);
  const c = r.choices[0];
  assert.equal(c.index, 0);
  assert.equal(c.message.role, 'assistant');
  assert.ok(typeof c.message.content === 'string' && c.message.content.length > 0, 'non-empty content');
  assert.ok(['stop', 'length'].includes(c.finish_reason), `finish_reason ${c.finish_reason}`);
  assertUsage(r.usage);
  baseline = r;
});

await check('chat, streamed', async () => {
  const chunks = await collect(await client.chat.completions.create({
    model, messages, max_tokens: 24, temperature: 0, stream: true }));
  assert.ok(chunks.length >= 2, 'several chunks');
  assert.equal(chunks[0].choices[0].delta.role, 'assistant', 'first chunk carries the role');
  const ids = new Set(chunks.map(c => c.id));
  assert.equal(ids.size, 1, 'one id for all chunks');
  chunks.forEach(c => assert.equal(c.object, 'chat.completion.chunk'));
  const text = chunks.map(c => c.choices[0]?.delta?.content ?? '').join('');
  const last = chunks.at(-1).choices[0];
  assert.ok(['stop', 'length'].includes(last.finish_reason), `final finish_reason ${last.finish_reason}`);
  if (baseline) assert.equal(text, baseline.choices[0].message.content, 'streamed text equals the greedy answer');
});

await check('completion, not streamed', async () => {
  const r = await client.completions.create({ model, prompt, max_tokens: 16, temperature: 0 });
  assert.equal(r.object, 'text_completion');
  assert.equal(r.choices.length, 1);
  assert.equal(typeof r.choices[0].text, 'string');
  assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
  assertUsage(r.usage);
});

await check('completion, streamed', async () => {
  const whole = await client.completions.create({ model, prompt, max_tokens: 16, temperature: 0 });
  const chunks = await collect(await client.completions.create({
    model, prompt, max_tokens: 16, temperature: 0, stream: true }));
  chunks.forEach(c => assert.equal(c.object, 'text_completion'));
  const text = chunks.map(c => c.choices[0]?.text ?? '').join('');
  assert.equal(text, whole.choices[0].text, 'streamed text equals the whole answer');
  assert.ok(['stop', 'length'].includes(chunks.at(-1).choices[0].finish_reason));
});

await check('n=2, not streamed', async () => {
  const r = await client.chat.completions.create({ model, messages, max_tokens: 8, n: 2, temperature: 0.8, seed: 1 });
  assert.deepEqual(r.choices.map(c => c.index), [0, 1]);
  assertUsage(r.usage);
});

await check('n=2, streamed', async () => {
  const chunks = await collect(await client.chat.completions.create({
    model, messages, max_tokens: 8, n: 2, temperature: 0.8, stream: true }));
  const indices = new Set(chunks.flatMap(c => c.choices.map(ch => ch.index)));
  assert.deepEqual([...indices].sort(), [0, 1]);
  const finished = chunks.flatMap(c => c.choices.filter(ch => ch.finish_reason).map(ch => ch.index));
  assert.deepEqual(finished.sort(), [0, 1], 'each choice finishes once');
});

await check('stop', async () => {
  assert.ok(baseline, 'needs the greedy chat answer');
  const text = baseline.choices[0].message.content;
  assert.ok(text.length >= 4, `answer long enough to cut: ${JSON.stringify(text)}`);
  const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 2);
  const r = await client.chat.completions.create({ model, messages, max_tokens: 24, temperature: 0, stop: [stop] });
  assert.equal(r.choices[0].message.content, text.slice(0, text.indexOf(stop)), `cut before ${JSON.stringify(stop)}`);
  assert.equal(r.choices[0].finish_reason, 'stop');
});

await check('max_tokens', async () => {
  const r = await client.chat.completions.create({ model, messages, max_tokens: 3, temperature: 0 });
  assert.ok(r.usage.completion_tokens <= 3, `completion_tokens ${r.usage.completion_tokens}`);
  if (baseline && baseline.usage.completion_tokens > 3) {
    assert.equal(r.usage.completion_tokens, 3);
    assert.equal(r.choices[0].finish_reason, 'length');
  }
});

await check('chat logprobs', async () => {
  const r = await client.chat.completions.create({
    model, messages, max_tokens: 6, temperature: 0, logprobs: true, top_logprobs: 2 });
  const content = r.choices[0].logprobs?.content;
  assert.ok(Array.isArray(content), 'logprobs.content is an array');
  assert.equal(content.length, r.usage.completion_tokens, 'one entry per generated token');
  for (const t of content) {
    assert.equal(typeof t.token, 'string');
    assert.ok(t.logprob <= 0, `logprob ${t.logprob}`);
    assert.ok(Array.isArray(t.bytes));
    assert.ok(t.top_logprobs.length <= 2);
  }
});

await check('completion logprobs', async () => {
  const r = await client.completions.create({ model, prompt, max_tokens: 6, temperature: 0, logprobs: 2 });
  const lp = r.choices[0].logprobs;
  assert.ok(lp, 'logprobs present');
  const n = lp.tokens.length;
  assert.equal(n, r.usage.completion_tokens);
  assert.equal(lp.token_logprobs.length, n);
  assert.equal(lp.top_logprobs.length, n);
  assert.equal(lp.text_offset.length, n);
  lp.top_logprobs.forEach(top => assert.ok(Object.keys(top).length <= 2));
});

await check('stream_options.include_usage', async () => {
  const chunks = await collect(await client.chat.completions.create({
    model, messages, max_tokens: 8, stream: true, stream_options: { include_usage: true } }));
  const last = chunks.at(-1);
  assert.equal(last.choices.length, 0, 'the usage chunk has no choices');
  assertUsage(last.usage);
  chunks.slice(0, -1).forEach(c => assert.equal(c.usage, null, 'other chunks carry usage: null'));
});

await check('400 -> BadRequestError', async () => {
  const e = await expectError(BadRequestError, client.chat.completions.create({ model, messages, temperature: 5 }));
  assert.equal(e.status, 400);
  assert.equal(e.param, 'temperature');
});

await check('404 model -> NotFoundError', async () => {
  const e = await expectError(NotFoundError, client.chat.completions.create({ model: 'no-such-model-x', messages }));
  assert.equal(e.status, 404);
});

await check('404 route -> NotFoundError', async () => {
  await expectError(NotFoundError, client.get('/no-such-route'));
});

if (apiKey) {
  await check('401 -> AuthenticationError', async () => {
    const wrong = new OpenAI({ baseURL, apiKey: apiKey + '-wrong', maxRetries: 0 });
    const e = await expectError(AuthenticationError, wrong.models.list());
    assert.equal(e.status, 401);
  });
} else {
  skip('401 -> AuthenticationError', 'pass the server\'s API key as the second argument');
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
