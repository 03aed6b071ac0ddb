// llama.cpp's prefill, batch-1 decode and batched decode on a GGUF file, measured the way `infer4j bench model`
// measures infer4j: a prompt of random token ids, greedy decoding, 2 threads, median of several runs.
//
//   node speed.mjs --model FILE [--prompt-tokens 128] [--gen-tokens 64] [--repeat 3] [--threads 2]
//                  [--batch-sizes 1,4,8,16]
import {getLlama} from "node-llama-cpp";

const args = parseArgs(process.argv.slice(2));
const modelPath = args.model ?? fail("--model FILE is required");
const promptTokens = Number(args["prompt-tokens"] ?? 128);
const genTokens = Number(args["gen-tokens"] ?? 64);
const repeat = Number(args.repeat ?? 3);
const threads = Number(args.threads ?? 2);
const batchSizes = (args["batch-sizes"] ?? "").split(",").filter(s => s !== "").map(Number);

const llama = await getLlama({gpu: false, build: "never", maxThreads: threads, logLevel: "error"});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
console.log(`llama.cpp ${llama.llamaCppRelease.release} (node-llama-cpp prebuilt, ${llama.gpu || "cpu"}), ` +
    `${threads} threads, ${modelPath}`);

// Deterministic prompts of ids well inside any vocabulary of 32k, after BOS, like bench model's random prompt.
function prompt(seed, length) {
    let x = (seed * 2654435761) >>> 0;
    const tokens = [model.tokens.bos ?? 1];
    while (tokens.length < length) {
        x = (x * 1664525 + 1013904223) >>> 0;
        tokens.push(300 + (x % 30000));
    }
    return tokens;
}

const seconds = () => Number(process.hrtime.bigint()) / 1e9;
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function single(run) {
    const context = await model.createContext({contextSize: promptTokens + genTokens + 16, batchSize: 512,
        threads, sequences: 1});
    try {
        const sequence = context.getSequence();
        const tokens = prompt(run + 1, promptTokens);
        const start = seconds();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens);
        const prefill = promptTokens / (seconds() - start);
        // the first generated token only starts the clock: decode is timed over genTokens steps after it
        let generated = 0;
        let decodeStart = 0;
        for await (const ignored of sequence.evaluate([tokens[1]], {temperature: 0})) {
            if (++generated === 1) {
                decodeStart = seconds();
            }
            if (generated === genTokens + 1) {
                break;
            }
        }
        return {prefill, decode: genTokens / (seconds() - decodeStart)};
    } finally {
        await context.dispose();
    }
}

async function batched(size) {
    const context = await model.createContext({contextSize: size * (promptTokens + genTokens + 16),
        batchSize: 2048, threads, sequences: size});
    try {
        const sequences = Array.from({length: size}, () => context.getSequence());
        await Promise.all(sequences.map((s, i) => s.evaluateWithoutGeneratingNewTokens(prompt(100 + i, promptTokens))));
        // every sequence decodes genTokens + 1 tokens; the clock runs from the moment all have their first one
        let started = 0;
        let decodeStart = 0;
        await Promise.all(sequences.map(async (s, i) => {
            let generated = 0;
            for await (const ignored of s.evaluate([400 + i], {temperature: 0})) {
                if (++generated === 1 && ++started === size) {
                    decodeStart = seconds();
                }
                if (generated === genTokens + 1) {
                    break;
                }
            }
        }));
        return size * genTokens / (seconds() - decodeStart);
    } finally {
        await context.dispose();
    }
}

await single(0); // warm-up, as bench model does
const runs = [];
for (let r = 0; r < repeat; r++) {
    runs.push(await single(r + 1));
}
const result = {
    prefill: median(runs.map(r => r.prefill)),
    decode: median(runs.map(r => r.decode)),
    runs: runs.map(r => ({prefill: +r.prefill.toFixed(2), decode: +r.decode.toFixed(2)})),
    batched: {}
};
console.log(`prefill ${promptTokens} tokens   ${result.prefill.toFixed(1)} tok/s   runs ${runs.map(r => r.prefill.toFixed(1)).join(" ")}`);
console.log(`decode ${genTokens} tokens     ${result.decode.toFixed(1)} tok/s   runs ${runs.map(r => r.decode.toFixed(1)).join(" ")}`);
for (const size of batchSizes) {
    const rate = await batched(size);
    result.batched[size] = +rate.toFixed(2);
    console.log(`batched decode B=${size}   ${rate.toFixed(1)} tok/s`);
}
console.log(JSON.stringify(result));
await model.dispose();

function parseArgs(list) {
    const out = {};
    for (let i = 0; i < list.length; i++) {
        if (!list[i].startsWith("--") || i + 1 >= list.length) {
            fail(`unexpected argument '${list[i]}'`);
        }
        out[list[i].slice(2)] = list[++i];
    }
    return out;
}

function fail(message) {
    console.error(message);
    process.exit(2);
}
