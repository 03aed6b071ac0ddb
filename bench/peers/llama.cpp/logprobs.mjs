// How far llama.cpp on this machine lands from ../shared/reference/llama.cpp-outputs.json: for each model named,
// the worst difference in the top-3 log-probabilities of the first five greedy steps of every reference prompt.
// Each step is fed the reference's own token, so one early difference in argmax cannot shift the later steps.
//
//   node logprobs.mjs [--shared DIR] [--flash-attention auto|on|off] MODEL.gguf...
import {getLlama} from "node-llama-cpp";
import fs from "node:fs";
import path from "node:path";

const argv = process.argv.slice(2);
let shared = path.resolve(import.meta.dirname, "../../../../shared");
let flashAttention = "auto";
const models = [];
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--shared") {
        shared = argv[++i];
    } else if (argv[i] === "--flash-attention") {
        const v = argv[++i];
        flashAttention = v === "auto" ? "auto" : v === "on";
    } else {
        models.push(argv[i]);
    }
}
const reference = JSON.parse(fs.readFileSync(path.join(shared, "reference/llama.cpp-outputs.json"), "utf8"));
const llama = await getLlama({gpu: false, build: "never", maxThreads: 2, logLevel: "error"});
console.log(`llama.cpp ${llama.llamaCppRelease.release} (node-llama-cpp prebuilt), flash attention ${flashAttention}`);

for (const name of models.length > 0 ? models : reference.map(e => e.model)) {
    const entry = reference.find(e => e.model === name);
    if (entry === undefined) {
        console.error(`${name}: not in the reference`);
        process.exitCode = 2;
        continue;
    }
    const model = await llama.loadModel({modelPath: path.join(shared, "models/gguf", name), gpuLayers: 0});
    let worst = 0;
    for (const completion of entry.completions) {
        const context = await model.createContext({contextSize: 256, threads: 2, flashAttention});
        try {
            worst = Math.max(worst, await compare(context.getSequence(), completion));
        } finally {
            await context.dispose();
        }
    }
    console.log(`${name.padEnd(36)} worst top-3 log-prob difference ${worst.toExponential(2)}`);
    await model.dispose();
}

/** The largest |log p - reference| over the top-3 entries of the first five steps of one completion. */
async function compare(sequence, completion) {
    // temperature 1 with every filter off leaves the probabilities the plain softmax of the logits
    const steps = sequence.evaluateWithMetadata(completion.prompt_tokens_with_bos, {probabilities: true},
        {temperature: 1, topK: 0, topP: 1, minP: 0});
    let worst = 0;
    let step = 0;
    for (let r = await steps.next(); !r.done && step < completion.top3_first_5_steps.length;
         r = await steps.next(completion.tokens[step++])) {
        for (const [id, , logprob] of completion.top3_first_5_steps[step]) {
            const p = r.value.probabilities.get(id);
            worst = Math.max(worst, p === undefined ? Infinity : Math.abs(Math.log(p) - logprob));
        }
    }
    await steps.return();
    return worst;
}
