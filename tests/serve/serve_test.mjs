// `rotary serve` driven by the official OpenAI Node client (pinned: tests/serve/package-lock.json)
// on a tiny synth model: health and models, a plain and a streamed chat, a temperature-0 answer
// equal to `rotary run` on the same rendered prompt, raw completions, four concurrent clients
// (each answer equal to its answer alone), a client that hangs up mid-stream, a full queue,
// malformed bodies, a wrong key, the warning off loopback, SIGINT, and SIGTERM during a stream
// (exit 0). Run by serve_test.sh.
import { spawn, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import OpenAI from "openai";

const rotary = process.env.ROTARY;
const model = process.env.MODEL;
const template = process.env.TEMPLATE;
const validation = process.env.VALIDATION ? process.env.VALIDATION.split(" ") : [];
const key = "test-key-123";
const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

// --- Start the server on a free port; it prints the port it bound.
const server = spawn(rotary, ["serve", "-m", model, "--chat-template-file", template, "--port", "0", "--api-key", key,
                              "--queue", "3", "--no-progress", "--temp", "0", ...validation],
                     { stdio: ["ignore", "ignore", "pipe"] });
let stderr = "";
let exited = null;
server.on("exit", (code, signal) => { exited = { code, signal }; });
const port = await new Promise((resolve, reject) => {
  server.stderr.on("data", (d) => {
    stderr += d;
    const m = stderr.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m) resolve(Number(m[1]));
  });
  server.on("exit", () => reject(new Error(`rotary serve exited: ${stderr}`)));
});
const base = `http://127.0.0.1:${port}`;
const fail = (msg) => { server.kill("SIGKILL"); console.error(`serve_test: ${msg}\n--- server stderr:\n${stderr}`); process.exit(1); };
process.on("unhandledRejection", (e) => fail(e.stack || e));
const check = async (what, fn) => { try { await fn(); log("ok:", what); } catch (e) { fail(`${what}: ${e.stack || e}`); } };

// --- /health answers while the model loads (503) and once it is loaded (200).
await check("health", async () => {
  for (let i = 0; ; ++i) {
    const ready = stderr.includes("rotary serve: ready");
    const r = await fetch(`${base}/health`);
    const body = await r.json();
    if (!ready && r.status === 503) assert.equal(body.status, "loading model");
    if (r.status === 200) { assert.equal(body.status, "ok"); break; }
    assert.equal(r.status, 503);
    assert.ok(i < 1200, "not ready after 120 s");
    await new Promise((res) => setTimeout(res, 100));
  }
});

const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
const user = (text) => [{ role: "user", content: text }];
const noThink = { enable_thinking: false };

await check("models", async () => {
  const list = await client.models.list();
  assert.deepEqual(list.data.map((m) => m.id), ["tiny.gguf"]);
});

await check("a second server on the same port fails", async () => {
  const second = spawn(rotary, ["serve", "-m", model, "--port", String(port), "--no-progress"],
                       { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  second.stderr.on("data", (d) => { err += d; });
  const code = await new Promise((res) => second.on("exit", (c) => res(c)));
  assert.notEqual(code, 0);
  assert.match(err, /cannot listen on 127\.0\.0\.1:\d+/);
});

// --- Any address but loopback without --api-key draws a warning; SIGINT stops the server with
// exit 0 (while it loads or once it serves: no token is being generated).
await check("warning off loopback, SIGINT exits cleanly", async () => {
  const open = spawn(rotary, ["serve", "-m", model, "--host", "0.0.0.0", "--port", "0", "--no-progress"],
                     { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const code = new Promise((res) => open.on("exit", (c, sig) => res({ c, sig })));
  await new Promise((res) => {
    open.stderr.on("data", (d) => {
      err += d;
      if (/reachable from other machines/.test(err)) res();
    });
    open.on("exit", res);  // never warned: the checks below say so
  });
  open.kill("SIGINT");
  assert.deepEqual(await code, { c: 0, sig: null }, err);
  assert.match(err, /warning: 0\.0\.0\.0 is reachable from other machines and there is no --api-key/);
  assert.match(err, /rotary serve: (stopping|stopped while loading the model)/);
});

// --- A plain chat, and `rotary run` on the prompt the template renders: the same tokens.
let plain;
await check("plain chat equals rotary run at temperature 0", async () => {
  plain = await client.chat.completions.create({ model: "tiny", messages: user("Hello there"), temperature: 0,
                                                 max_tokens: 12, chat_template_kwargs: noThink });
  assert.equal(plain.object, "chat.completion");
  const choice = plain.choices[0];
  assert.equal(choice.message.role, "assistant");
  assert.ok(["stop", "length"].includes(choice.finish_reason));
  assert.ok(plain.usage.completion_tokens >= 1 && plain.usage.completion_tokens <= 12);
  assert.equal(plain.usage.total_tokens, plain.usage.prompt_tokens + plain.usage.completion_tokens);
  for (const f of ["prompt_n", "prompt_per_second", "predicted_n", "predicted_per_second", "cache_n", "expert_hit_rate"])
    assert.equal(typeof plain.timings[f], "number", f);
  assert.ok(plain.timings.predicted_per_second > 0);
  const rendered = "<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n";
  const run = JSON.parse(execFileSync(rotary, ["run", "-m", model, "--no-progress", "--temp", "0", "-n", "12", "--json",
                                               "-p", rendered]));
  assert.equal(plain.usage.prompt_tokens, run.prompt_tokens.length);
  assert.equal(plain.usage.completion_tokens, run.tokens.length);
  assert.equal(choice.message.content, run.text);
  // The raw prompt through /v1/completions: the same again.
  const raw = await client.completions.create({ model: "tiny", prompt: rendered, temperature: 0, max_tokens: 12 });
  assert.equal(raw.choices[0].text, run.text);
  assert.equal(raw.usage.completion_tokens, run.tokens.length);
  // The session held this prompt: all but its last token came from the cache.
  assert.equal(raw.usage.prompt_tokens_details.cached_tokens, run.prompt_tokens.length - 1);
});

// --- Streamed: the deltas add up to the plain answer; usage at the end; cached prefix reused.
await check("streamed chat", async () => {
  const stream = await client.chat.completions.create({ model: "tiny", messages: user("Hello there"), temperature: 0,
                                                        max_tokens: 12, stream: true, chat_template_kwargs: noThink,
                                                        stream_options: { include_usage: true } });
  let text = "", finish = null, usage = null, chunks = 0;
  for await (const chunk of stream) {
    ++chunks;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      text += c.delta.content ?? "";
      finish = c.finish_reason ?? finish;
    }
  }
  assert.equal(text, plain.choices[0].message.content);
  assert.equal(finish, plain.choices[0].finish_reason);
  assert.ok(chunks >= 3);
  assert.equal(usage.completion_tokens, plain.usage.completion_tokens);
  assert.equal(usage.prompt_tokens_details.cached_tokens, plain.usage.prompt_tokens - 1);
});

// --- Stop strings: the answer ends before the first one, which is not part of it.
await check("stop strings", async () => {
  const text = plain.choices[0].message.content;
  const cut = [...text].slice(2, 4).join("");
  if (cut.length === 0) return;
  const r = await client.chat.completions.create({ model: "tiny", messages: user("Hello there"), temperature: 0,
                                                   max_tokens: 12, stop: [cut], chat_template_kwargs: noThink });
  assert.equal(r.choices[0].message.content, text.slice(0, text.indexOf(cut)));
  assert.equal(r.choices[0].finish_reason, "stop");
});

// --- Tools reach the template: the answer equals `rotary run` on what `rotary template` renders
// for the same messages and tools; tool_choice "none" hides them. (Tool-call parsing itself:
// tests/unit/serve_output_test.cpp; a random-weight model does not call tools.)
await check("tools through the template", async () => {
  const tools = [{ type: "function", function: { name: "get_weather", description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
  const messages = user("Weather in Paris?");
  writeFileSync(`${process.env.TMP}/messages.json`, JSON.stringify(messages));
  writeFileSync(`${process.env.TMP}/tools.json`, JSON.stringify(tools));
  const render = (withTools) => execFileSync(rotary, ["template", "--chat-template-file", template, "--no-think",
    "--messages", `${process.env.TMP}/messages.json`, ...(withTools ? ["--tools", `${process.env.TMP}/tools.json`] : [])],
    { encoding: "utf8" });
  const rendered = render(true);
  assert.ok(rendered.includes("get_weather"));
  const r = await client.chat.completions.create({ model: "tiny", messages, tools, temperature: 0, max_tokens: 8,
                                                   chat_template_kwargs: noThink });
  const run = JSON.parse(execFileSync(rotary, ["run", "-m", model, "--no-progress", "--temp", "0", "-n", "8", "--json",
                                               "-p", rendered]));
  assert.equal(r.usage.prompt_tokens, run.prompt_tokens.length);
  assert.equal(r.choices[0].message.content ?? "", run.text);
  const none = await client.chat.completions.create({ model: "tiny", messages, tools, tool_choice: "none",
                                                      temperature: 0, max_tokens: 2, chat_template_kwargs: noThink });
  const plainRun = JSON.parse(execFileSync(rotary, ["run", "-m", model, "--no-progress", "--temp", "0", "-n", "1",
                                                    "--json", "-p", render(false)]));
  assert.equal(none.usage.prompt_tokens, plainRun.prompt_tokens.length);
  assert.equal(none.choices[0].message.tool_calls, undefined);
});

// --- Four concurrent clients: each gets the answer it gets alone.
await check("four concurrent clients", async () => {
  const ask = (i) => client.chat.completions.create({ model: "tiny", messages: user(`Question number ${i}?`),
                                                      temperature: 0, max_tokens: 6, chat_template_kwargs: noThink });
  const alone = [];
  for (let i = 0; i < 4; ++i) alone.push((await ask(i)).choices[0].message.content);
  const together = await Promise.all([0, 1, 2, 3].map(ask));
  assert.deepEqual(together.map((r) => r.choices[0].message.content), alone);
});

// --- A client that hangs up mid-stream: its generation stops, the next request is served.
const longStream = () => client.chat.completions.create({ model: "tiny", messages: user("Tell a long story"),
                                                          max_tokens: 400, ignore_eos: true, stream: true,
                                                          chat_template_kwargs: noThink });
await check("client hangs up mid-stream", async () => {
  const stream = await longStream();
  let received = 0;
  for await (const chunk of stream) if (chunk.choices[0]?.delta?.content !== undefined && ++received === 3) break;
  for (let i = 0; i < 100 && !/\(client gone\)/.test(stderr); ++i) await new Promise((res) => setTimeout(res, 100));
  const line = stderr.split("\n").find((l) => l.includes("(client gone)"));
  assert.ok(line, "the server did not stop the generation");
  const decoded = Number(line.match(/decode (\d+) tokens/)[1]);
  assert.ok(decoded <= received + 3, `generated ${decoded} tokens for a client that took ${received + 1} events`);
  const next = await client.chat.completions.create({ model: "tiny", messages: user("Hello there"), temperature: 0,
                                                      max_tokens: 12, chat_template_kwargs: noThink });
  assert.equal(next.choices[0].message.content, plain.choices[0].message.content);
});

// --- A client that hangs up before a whole (unstreamed) answer: the generation stops too.
await check("client hangs up before a plain answer", async () => {
  const gone = (stderr.match(/\(client gone\)/g) || []).length;
  const abort = new AbortController();
  const request = client.chat.completions.create({ model: "tiny", messages: user("Another long story"), max_tokens: 400,
                                                   ignore_eos: true, chat_template_kwargs: noThink },
                                                 { signal: abort.signal });
  await new Promise((res) => setTimeout(res, 1500));  // the answer is being generated
  abort.abort();
  await assert.rejects(request);
  for (let i = 0; i < 100 && (stderr.match(/\(client gone\)/g) || []).length === gone; ++i)
    await new Promise((res) => setTimeout(res, 100));
  const line = stderr.split("\n").filter((l) => l.includes("(client gone)"))[gone];
  assert.ok(line, "the server did not stop the generation");
  assert.ok(Number(line.match(/decode (\d+) tokens/)[1]) < 400);
});

// --- A full queue: one request runs, three wait (--queue 3), the rest get 503.
await check("full queue is 503", async () => {
  const streams = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(() => longStream()));
  const refused = streams.filter((s) => s.status === "rejected");
  assert.ok(refused.length >= 2, `${refused.length} of 6 refused`);
  for (const r of refused) {
    assert.equal(r.reason.status, 503);
    assert.equal(r.reason.code, "queue_full");
  }
  for (const s of streams) if (s.status === "fulfilled") s.value.controller.abort();
  // The server notices the hang-ups (within a token, or at once while waiting) and frees the queue.
  await new Promise((res) => setTimeout(res, 500));
});

// --- Bad input: OpenAI-shaped errors, and the server stays up.
const post = (path, body, headers = {}) =>
  fetch(`${base}${path}`, { method: "POST", body, headers: { "Content-Type": "application/json",
                                                             Authorization: `Bearer ${key}`, ...headers } });
const expectError = async (r, status, code, param) => {
  assert.equal(r.status, status);
  const e = (await r.json()).error;
  assert.equal(typeof e.message, "string");
  assert.equal(e.code, code);
  if (param !== undefined) assert.equal(e.param, param);
};
await check("malformed bodies", async () => {
  await expectError(await post("/v1/chat/completions", "{\"messages\": ["), 400, "invalid_json");
  await expectError(await post("/v1/chat/completions", "[".repeat(100000)), 400, "invalid_json");
  await expectError(await post("/v1/chat/completions", JSON.stringify({ messages: user("x"), temperature: "hot" })),
                    400, "invalid_value", "temperature");
  await expectError(await post("/v1/chat/completions", JSON.stringify({ messages: user("x"), n: 2 })),
                    400, "unsupported_value", "n");
  await expectError(await post("/v1/chat/completions", JSON.stringify({ messages: [] })), 400, "invalid_value", "messages");
  await expectError(await post("/v1/completions", JSON.stringify({ prompt: [1, 99999999] })), 400, "invalid_value", "prompt");
  await expectError(await post("/v1/chat/completions",
                               JSON.stringify({ messages: user("x ".repeat(5000)) })), 400, "context_length_exceeded");
  await expectError(await post("/v1/nothing", "{}"), 404, "not_found");
  await expectError(await post("/v1/chat/completions", "x".repeat(9 << 20)), 413, "request_too_large");
  const ok = await fetch(`${base}/health`);
  assert.equal(ok.status, 200);
});

await check("wrong or missing key", async () => {
  await expectError(await post("/v1/chat/completions", "{}", { Authorization: "Bearer wrong" }), 401, "invalid_api_key");
  const r = await fetch(`${base}/v1/models`);
  await expectError(r, 401, "invalid_api_key");
  const bad = new OpenAI({ baseURL: `${base}/v1`, apiKey: "nope", maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e.status === 401);
});

// --- SIGTERM during a stream: the stream ends, the server exits 0.
await check("SIGTERM during a stream", async () => {
  const stream = await longStream();
  let received = 0, ended = "end";
  try {
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content !== undefined && ++received === 2) server.kill("SIGTERM");
    }
  } catch (e) {
    ended = `error: ${e.message}`;
  }
  for (let i = 0; i < 200 && exited === null; ++i) await new Promise((res) => setTimeout(res, 50));
  assert.deepEqual(exited, { code: 0, signal: null }, `the server did not exit cleanly (stream: ${ended})`);
  assert.ok(stderr.includes("rotary serve: stopping"));
  assert.ok(received >= 2);
});

await check("no validation-layer reports", async () => {
  assert.ok(!/validation/i.test(stderr), "the Vulkan validation layer reported something");
});

log("serve_test: all passed");
