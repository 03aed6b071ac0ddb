// Writes every tensor that one llama_decode computes, for comparing infer4j's intermediate values with llama.cpp's
// bit for bit. Build it against a llama.cpp built from node-llama-cpp's source bundle (see README.md):
//
//   dump-tensors MODEL.gguf OUT.bin FLASH(0|1) TOKEN,TOKEN,...
//
// OUT.bin holds, per F32 or F16 tensor in graph order, a text line "name|op|ne0|ne1|ne2|ne3" and then its values as
// little-endian F32 (F16 tensors widened) followed by a newline. Views and other non-contiguous tensors are skipped.
#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static FILE * out;

static bool on_tensor(struct ggml_tensor * t, bool ask, void *) {
    if (ask) {
        return true;  // yes, we want every tensor's data
    }
    if (!ggml_is_contiguous(t) || (t->type != GGML_TYPE_F32 && t->type != GGML_TYPE_F16)) {
        return true;
    }
    const int64_t n = ggml_nelements(t);
    std::vector<uint8_t> raw(ggml_nbytes(t));
    ggml_backend_tensor_get(t, raw.data(), 0, raw.size());
    std::vector<float> values(n);
    if (t->type == GGML_TYPE_F32) {
        memcpy(values.data(), raw.data(), n * sizeof(float));
    } else {
        for (int64_t i = 0; i < n; i++) {
            values[i] = ggml_fp16_to_fp32(((const ggml_fp16_t *) raw.data())[i]);
        }
    }
    fprintf(out, "%s|%s|%lld|%lld|%lld|%lld\n", t->name, ggml_op_desc(t), (long long) t->ne[0], (long long) t->ne[1],
            (long long) t->ne[2], (long long) t->ne[3]);
    fwrite(values.data(), sizeof(float), n, out);
    fputc('\n', out);
    return true;
}

int main(int argc, char ** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s MODEL.gguf OUT.bin FLASH(0|1) TOKEN,TOKEN,...\n", argv[0]);
        return 2;
    }
    llama_backend_init();
    llama_model * model = llama_model_load_from_file(argv[1], llama_model_default_params());
    if (model == nullptr) {
        fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    out = fopen(argv[2], "wb");
    if (out == nullptr) {
        fprintf(stderr, "cannot write %s\n", argv[2]);
        return 1;
    }
    llama_context_params params = llama_context_default_params();
    params.n_ctx = 512;
    params.n_batch = 512;
    params.n_ubatch = 512;
    params.n_threads = 2;
    params.n_threads_batch = 2;
    params.flash_attn_type = atoi(argv[3]) ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    params.cb_eval = on_tensor;
    llama_context * ctx = llama_init_from_model(model, params);
    std::vector<llama_token> tokens;
    for (char * s = strtok(argv[4], ","); s != nullptr; s = strtok(nullptr, ",")) {
        tokens.push_back(atoi(s));
    }
    // one batch, as llama-server evaluates a prompt; only the last position's logits are computed
    if (llama_decode(ctx, llama_batch_get_one(tokens.data(), (int32_t) tokens.size())) != 0) {
        fprintf(stderr, "llama_decode failed\n");
        return 1;
    }
    fclose(out);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
