#!/usr/bin/env node
// The conformance suite's server scenarios need a server with their test_* tools, resources and prompts;
// the suite's own one lives in the TypeScript SDK's repository and is not published. This one is built
// with the v2 SDK server and serves both eras from one definition: 2026-07-28 requests (server/discover,
// per-request _meta, input_required) and 2025-era sessions (initialize; input_required turned into real
// server->client requests by the SDK's legacy shim).
//
//   node test/conformance/reference-server.mjs stdio
//   node test/conformance/reference-server.mjs http     listens on 127.0.0.1:$PORT (0 picks one), prints
//                                                      `LISTENING <port>` on stderr; MCP at /mcp
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import {
  McpServer,
  ResourceTemplate,
  WebStandardStreamableHTTPServerTransport,
  acceptedContent,
  createMcpHandler,
  createRequestStateCodec,
  fromJsonSchema,
  inputRequired,
  isLegacyRequest,
} from '@modelcontextprotocol/server';
import * as z from 'zod';

const IMAGE =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const AUDIO = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';
const codec = createRequestStateCodec({ key: randomUUID() + randomUUID() });
const text = (value) => ({ content: [{ type: 'text', text: value }] });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nameForm = (message, field) =>
  inputRequired.elicit({ message, requestedSchema: z.object({ [field]: z.string() }) });

/** Servers that are live now (a stdio connection, HTTP sessions), told of list changes. */
const live = new Set();
/** Set in http mode: tells 2026-07-28 listen streams of list changes. */
let modernNotifier;
/** Tools and prompts added by the change triggers, so every instance lists them. */
let addedTools = 0;
let addedPrompts = 0;

function announce(kind) {
  for (const server of live) {
    if (kind === 'tools') server.sendToolListChanged();
    else server.sendPromptListChanged();
  }
  if (kind === 'tools') modernNotifier?.toolsChanged();
  else modernNotifier?.promptsChanged();
}

function registerContentTools(server) {
  server.registerTool('test_simple_text', { description: 'Returns simple text' }, async () =>
    text('This is a simple text response for testing.'),
  );
  server.registerTool('test_image_content', { description: 'Returns an image' }, async () => ({
    content: [{ type: 'image', data: IMAGE, mimeType: 'image/png' }],
  }));
  server.registerTool('test_audio_content', { description: 'Returns audio' }, async () => ({
    content: [{ type: 'audio', data: AUDIO, mimeType: 'audio/wav' }],
  }));
  const embedded = {
    uri: 'test://embedded-resource',
    mimeType: 'text/plain',
    text: 'This is an embedded resource content.',
  };
  server.registerTool(
    'test_embedded_resource',
    { description: 'Returns an embedded resource' },
    async () => ({
      content: [{ type: 'resource', resource: embedded }],
    }),
  );
  server.registerTool(
    'test_multiple_content_types',
    { description: 'Returns text, image and resource' },
    async () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: IMAGE, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: '{"test":"data","value":123}',
          },
        },
      ],
    }),
  );
  server.registerTool('test_error_handling', { description: 'Always fails' }, async () => {
    throw new Error('This tool intentionally returns an error for testing');
  });
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Tool with JSON Schema 2020-12 features',
      inputSchema: fromJsonSchema(JSON_SCHEMA_2020_12),
    },
    async (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );
}

const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};

function registerNotifyingTools(server) {
  const empty = z.object({});
  server.registerTool(
    'test_tool_with_logging',
    { description: 'Logs while it runs', inputSchema: empty },
    async (_a, ctx) => {
      for (const data of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
        await ctx.mcpReq.log('info', data);
        await sleep(20);
      }
      return text('Tool with logging executed successfully');
    },
  );
  server.registerTool(
    'test_logging_tool',
    { description: 'Logs once', inputSchema: empty },
    async (_a, ctx) => {
      await ctx.mcpReq.log('info', 'test_logging_tool ran');
      return text('logged');
    },
  );
  server.registerTool(
    'test_tool_with_progress',
    { description: 'Reports progress', inputSchema: empty },
    async (_a, ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken ?? 0;
      for (const progress of [0, 50, 100]) {
        await ctx.mcpReq.notify({
          method: 'notifications/progress',
          params: { progressToken, progress, total: 100 },
        });
        if (progress !== 100) await sleep(20);
      }
      return text(String(progressToken));
    },
  );
  server.registerTool(
    'test_trigger_tool_change',
    { description: 'Adds a tool', inputSchema: empty },
    async () => {
      addedTools++;
      for (const s of live) addTool(s, addedTools);
      announce('tools');
      return text(`added test_added_tool_${addedTools}`);
    },
  );
  server.registerTool(
    'test_trigger_prompt_change',
    { description: 'Adds a prompt', inputSchema: empty },
    async () => {
      addedPrompts++;
      for (const s of live) addPrompt(s, addedPrompts);
      announce('prompts');
      return text(`added test_added_prompt_${addedPrompts}`);
    },
  );
}

const addTool = (server, n) =>
  server.registerTool(
    `test_added_tool_${n}`,
    { description: 'Added by test_trigger_tool_change' },
    async () => text('added'),
  );
const addPrompt = (server, n) =>
  server.registerPrompt(
    `test_added_prompt_${n}`,
    { description: 'Added by test_trigger_prompt_change' },
    async () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'added' } }],
    }),
  );

/** Tools that need the client's input; written once with input_required, served to both eras. */
function registerInputTools(server) {
  const empty = z.object({});
  const tool = (name, handler) =>
    server.registerTool(name, { description: `${name} (needs client input)`, inputSchema: empty }, handler);
  tool('test_input_required_result_elicitation', async (_a, ctx) => {
    const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_name');
    if (typeof answer?.name !== 'string')
      return inputRequired({ inputRequests: { user_name: nameForm('What is your name?', 'name') } });
    return text(`Hello, ${answer.name}!`);
  });
  tool('test_input_required_result_sampling', async (_a, ctx) => {
    const answer = ctx.mcpReq.inputResponses?.capital_question;
    if (!answer)
      return inputRequired({
        inputRequests: {
          capital_question: inputRequired.createMessage({
            messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
            maxTokens: 100,
          }),
        },
      });
    return text(`Sampled: ${JSON.stringify(answer.content ?? answer)}`);
  });
  tool('test_input_required_result_list_roots', async (_a, ctx) => {
    const answer = ctx.mcpReq.inputResponses?.client_roots;
    if (!Array.isArray(answer?.roots))
      return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    return text(`Roots: ${answer.roots.map((r) => r.uri).join(', ')}`);
  });
  tool('test_input_required_result_request_state', async (_a, ctx) => {
    const state = ctx.mcpReq.requestState();
    if (state?.step === 'confirm' && acceptedContent(ctx.mcpReq.inputResponses, 'confirm'))
      return text('state-ok: confirmed');
    const confirm = inputRequired.elicit({
      message: 'Please confirm',
      requestedSchema: z.object({ ok: z.boolean() }),
    });
    return inputRequired({ inputRequests: { confirm }, requestState: await codec.mint({ step: 'confirm' }) });
  });
  tool('test_input_required_result_tampered_state', async (_a, ctx) => {
    if (ctx.mcpReq.requestState()?.step === 'confirm') return text('state-ok');
    const confirm = inputRequired.elicit({
      message: 'Please confirm',
      requestedSchema: z.object({ ok: z.boolean() }),
    });
    return inputRequired({ inputRequests: { confirm }, requestState: await codec.mint({ step: 'confirm' }) });
  });
  tool('test_input_required_result_multiple_inputs', async (_a, ctx) => {
    const r = ctx.mcpReq.inputResponses ?? {};
    if (r.user_name && r.greeting && r.client_roots) return text('All inputs received');
    return inputRequired({
      inputRequests: {
        user_name: nameForm('What is your name?', 'name'),
        greeting: inputRequired.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
          maxTokens: 50,
        }),
        client_roots: inputRequired.listRoots(),
      },
      requestState: await codec.mint({ step: 'multiple' }),
    });
  });
  tool('test_input_required_result_multi_round', async (_a, ctx) => {
    const step = ctx.mcpReq.requestState()?.step;
    if (step === 'round-2' && acceptedContent(ctx.mcpReq.inputResponses, 'step2'))
      return text('Multi-round input complete.');
    if (step === 'round-1' && acceptedContent(ctx.mcpReq.inputResponses, 'step1'))
      return inputRequired({
        inputRequests: { step2: nameForm('Step 2: What is your favorite color?', 'color') },
        requestState: await codec.mint({ step: 'round-2' }),
      });
    return inputRequired({
      inputRequests: { step1: nameForm('Step 1: What is your name?', 'name') },
      requestState: await codec.mint({ step: 'round-1' }),
    });
  });
  tool('test_input_required_result_capabilities', async (_a, ctx) => {
    if (ctx.mcpReq.inputResponses && Object.keys(ctx.mcpReq.inputResponses).length > 0)
      return text('inputs received');
    const declared =
      ctx.mcpReq.envelope?.['io.modelcontextprotocol/clientCapabilities'] ??
      server.server.getClientCapabilities() ??
      {};
    const inputRequests = {};
    if (declared.sampling)
      inputRequests.question = inputRequired.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: 'A question' } }],
        maxTokens: 20,
      });
    if (declared.elicitation) inputRequests.user_name = nameForm('What is your name?', 'name');
    if (Object.keys(inputRequests).length === 0)
      return text('the client declared neither sampling nor elicitation');
    return inputRequired({ inputRequests });
  });
  tool('test_streaming_elicitation', async (_a, ctx) => {
    if (acceptedContent(ctx.mcpReq.inputResponses, 'answer')) return text('streamed');
    return inputRequired({ inputRequests: { answer: nameForm('Answer?', 'answer') } });
  });
  // Needs sampling: refused with -32021 to a 2026-07-28 request that did not declare it.
  tool('test_missing_capability', async (_a, ctx) => {
    if (ctx.mcpReq.inputResponses?.sample) return text('sampled');
    return inputRequired({
      inputRequests: {
        sample: inputRequired.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text: 'Anything' } }],
          maxTokens: 10,
        }),
      },
    });
  });
  server.registerPrompt(
    'test_input_required_result_prompt',
    { description: 'A prompt that needs context first' },
    async (ctx) => {
      const answer = acceptedContent(ctx.mcpReq.inputResponses, 'user_context');
      if (typeof answer?.context !== 'string')
        return inputRequired({
          inputRequests: { user_context: nameForm('What context should the prompt use?', 'context') },
        });
      return { messages: [{ role: 'user', content: { type: 'text', text: `Context: ${answer.context}` } }] };
    },
  );
}

/** The 2025-era tools that send requests to the client themselves. */
function registerLegacyRequestTools(server) {
  const elicit = (name, message, requestedSchema) =>
    server.registerTool(
      name,
      { description: `${name} (elicitation)`, inputSchema: z.object({ message: z.string().optional() }) },
      async (args, ctx) => {
        // Sent as it is: the answer is reported, not checked against the schema.
        try {
          const result = await ctx.mcpReq.send({
            method: 'elicitation/create',
            params: { message: args.message ?? message, requestedSchema },
          });
          return text(
            `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`,
          );
        } catch (error) {
          return text(`Elicitation not supported or error: ${error?.message ?? error}`);
        }
      },
    );
  server.registerTool(
    'test_sampling',
    { description: 'Asks the client to sample', inputSchema: z.object({ prompt: z.string() }) },
    async ({ prompt }, ctx) => {
      try {
        const result = await ctx.mcpReq.send({
          method: 'sampling/createMessage',
          params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 },
        });
        return text(`LLM response: ${result.content?.text ?? 'No response'}`);
      } catch (error) {
        return text(`Sampling not supported or error: ${error?.message ?? error}`);
      }
    },
  );
  elicit('test_elicitation', 'Please respond', {
    type: 'object',
    properties: { response: { type: 'string', description: "User's response" } },
    required: ['response'],
  });
  elicit('test_elicitation_sep1034_defaults', 'Please review and update the form fields with defaults', {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'User name', default: 'John Doe' },
      age: { type: 'integer', description: 'User age', default: 30 },
      score: { type: 'number', description: 'User score', default: 95.5 },
      status: {
        type: 'string',
        description: 'User status',
        enum: ['active', 'inactive', 'pending'],
        default: 'active',
      },
      verified: { type: 'boolean', description: 'Verification status', default: true },
    },
    required: [],
  });
  elicit('test_elicitation_sep1330_enums', 'Please select options from the enum fields', {
    type: 'object',
    properties: {
      untitledSingle: {
        type: 'string',
        description: 'Select one option',
        enum: ['option1', 'option2', 'option3'],
      },
      titledSingle: {
        type: 'string',
        description: 'Select one option with titles',
        oneOf: [
          { const: 'value1', title: 'First Option' },
          { const: 'value2', title: 'Second Option' },
          { const: 'value3', title: 'Third Option' },
        ],
      },
      legacyEnum: {
        type: 'string',
        description: 'Select one option (legacy)',
        enum: ['opt1', 'opt2', 'opt3'],
        enumNames: ['Option One', 'Option Two', 'Option Three'],
      },
      untitledMulti: {
        type: 'array',
        description: 'Select multiple options',
        minItems: 1,
        maxItems: 3,
        items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
      },
      titledMulti: {
        type: 'array',
        description: 'Select multiple options with titles',
        minItems: 1,
        maxItems: 3,
        items: {
          anyOf: [
            { const: 'value1', title: 'First Choice' },
            { const: 'value2', title: 'Second Choice' },
            { const: 'value3', title: 'Third Choice' },
          ],
        },
      },
    },
    required: [],
  });
}

function registerResourcesAndPrompts(server) {
  server.registerResource(
    'static-text',
    'test://static-text',
    { description: 'A static text resource', mimeType: 'text/plain' },
    async () => ({
      contents: [
        {
          uri: 'test://static-text',
          mimeType: 'text/plain',
          text: 'This is the content of the static text resource.',
        },
      ],
    }),
  );
  server.registerResource(
    'static-binary',
    'test://static-binary',
    { description: 'A static binary resource', mimeType: 'image/png' },
    async () => ({
      contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: IMAGE }],
    }),
  );
  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { description: 'A resource to subscribe to', mimeType: 'text/plain' },
    async () => ({
      contents: [
        { uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content' },
      ],
    }),
  );
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { description: 'A resource template', mimeType: 'application/json' },
    async (uri, { id }) => ({
      contents: [
        {
          uri: uri.toString(),
          mimeType: 'application/json',
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ],
    }),
  );
  const user = (content) => ({ role: 'user', content });
  server.registerPrompt('test_simple_prompt', { description: 'A prompt without arguments' }, async () => ({
    messages: [user({ type: 'text', text: 'This is a simple prompt for testing.' })],
  }));
  server.registerPrompt(
    'test_prompt_with_arguments',
    { description: 'A prompt with arguments', argsSchema: z.object({ arg1: z.string(), arg2: z.string() }) },
    async ({ arg1, arg2 }) => ({
      messages: [user({ type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` })],
    }),
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'A prompt with an embedded resource', argsSchema: z.object({ resourceUri: z.string() }) },
    async ({ resourceUri }) => ({
      messages: [
        user({
          type: 'resource',
          resource: {
            uri: resourceUri,
            mimeType: 'text/plain',
            text: 'Embedded resource content for testing.',
          },
        }),
        user({ type: 'text', text: 'Please process the embedded resource above.' }),
      ],
    }),
  );
  server.registerPrompt('test_prompt_with_image', { description: 'A prompt with an image' }, async () => ({
    messages: [
      user({ type: 'image', data: IMAGE, mimeType: 'image/png' }),
      user({ type: 'text', text: 'Please analyze the image above.' }),
    ],
  }));
}

function buildServer() {
  const server = new McpServer(
    { name: 'mcp-sentinel-conformance-reference', version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      },
      requestState: { verify: codec.verify },
    },
  );
  registerContentTools(server);
  registerNotifyingTools(server);
  registerInputTools(server);
  registerLegacyRequestTools(server);
  registerResourcesAndPrompts(server);
  for (let n = 1; n <= addedTools; n++) addTool(server, n);
  for (let n = 1; n <= addedPrompts; n++) addPrompt(server, n);
  server.server.setRequestHandler('completion/complete', async () => ({
    completion: { values: [], total: 0, hasMore: false },
  }));
  server.server.setRequestHandler('resources/subscribe', async () => ({}));
  server.server.setRequestHandler('resources/unsubscribe', async () => ({}));
  server.server.setRequestHandler('logging/setLevel', async () => ({}));
  return server;
}

async function serveStdioMode() {
  const { serveStdio } = await import('@modelcontextprotocol/server/stdio');
  serveStdio(({ era }) => {
    const server = buildServer();
    live.add(server);
    void era;
    return server;
  });
}

/** 2026-07-28 requests to the per-request handler; 2025-era ones to a session of their own. */
function serveHttpMode() {
  const modern = createMcpHandler(() => buildServer(), { legacy: 'reject' });
  modernNotifier = modern.notify;
  const sessions = new Map();
  const legacy = async (request) => {
    const id = request.headers.get('mcp-session-id');
    let transport = id ? sessions.get(id) : undefined;
    if (!transport) {
      if (id) return new globalThis.Response(null, { status: 404 });
      const server = buildServer();
      transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => sessions.set(sid, transport),
        onsessionclosed: (sid) => {
          sessions.delete(sid);
          live.delete(server);
        },
      });
      live.add(server);
      await server.connect(transport);
    }
    return transport.handleRequest(request);
  };
  const http = createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      const request = new globalThis.Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: Object.entries(req.headers).flatMap(([k, v]) =>
          v === undefined ? [] : Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]],
        ),
        body:
          req.method === 'GET' || req.method === 'HEAD' || chunks.length === 0
            ? undefined
            : Buffer.concat(chunks),
        signal: controller.signal,
      });
      const response = (await isLegacyRequest(request)) ? await legacy(request) : await modern.fetch(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) return res.end();
      Readable.fromWeb(response.body)
        .on('error', () => res.end())
        .pipe(res);
    } catch (error) {
      process.stderr.write(`reference-server: ${error?.stack ?? error}\n`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
    process.stderr.write(`LISTENING ${http.address().port}\n`),
  );
}

if (process.argv[2] === 'http') serveHttpMode();
else await serveStdioMode();
