// The dependency direction, checked by `npm run check:deps` (part of `npm test`): `semconv` and `pricing`
// are leaves, `instrumentation-core` sits under the provider packages, nothing imports the collector, and inside
// the collector no lower layer imports a higher one (model, config → producers → rollup → metrics, store → traces →
// components → the add-ons → the Collector and its CLI). A rule's comment says why it exists.
/** Workspace packages by folder name, as import paths resolve them (to their sources). */
const src = (...names) => `^packages/(${names.join('|')})/src/`;
const inCollector = (...dirs) => `^collector/src/(${dirs.join('|')})/`;

/** `from` may import, among the workspace's own code, only what `to` matches (npm packages and Node built-ins aside). */
const only = (name, comment, from, allowed) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: '^(packages|collector|demo|test|bench|scripts|grafana)/', pathNot: allowed },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes both sides one module in disguise; type-only imports count too (they tie the declarations).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-the-collector',
      comment: 'The collector is the consumer of what the packages emit, never a library of theirs (end-to-end tests and benchmarks may).',
      severity: 'error',
      from: { path: '^(packages|demo)/' },
      to: { path: '^collector/' },
    },
    {
      name: 'sources-do-not-import-tests',
      comment: 'Published code must not reach test helpers.',
      severity: 'error',
      from: { path: '^(packages/[^/]+/src|collector/src|demo)/' },
      to: { path: '(^test/|/test/)' },
    },
    only('semconv-is-a-leaf', 'Every attribute and metric name, nothing else: it imports no other package.', src('semconv'), src('semconv')),
    only('pricing-is-a-leaf', 'Prices and arithmetic: only the names.', src('pricing'), src('pricing', 'semconv')),
    only(
      'core-under-the-providers',
      'What every provider instrumentation shares; it knows none of them.',
      src('instrumentation-core'),
      src('instrumentation-core', 'pricing', 'semconv'),
    ),
    only(
      'providers-stand-alone',
      'A provider package builds on core, never on another provider.',
      src('instrumentation-openai', 'instrumentation-anthropic', 'instrumentation-sagemaker', 'retrieval'),
      // $1: the importing package itself.
      '^packages/($1|instrumentation-core|pricing|semconv)/src/',
    ),
    only(
      'bedrock-builds-the-one-aws-instrumentation',
      "Bedrock builds the process's one AwsInstrumentation, carrying SageMaker's hooks too.",
      src('instrumentation-bedrock'),
      src('instrumentation-bedrock', 'instrumentation-sagemaker', 'instrumentation-core', 'pricing', 'semconv'),
    ),
    only('accelerators-stand-alone', 'Accelerator metrics need only the names.', src('accelerators'), src('accelerators', 'semconv')),
    only('local-endpoints-stand-alone', 'Stand-ins for the providers: they know nothing of ours.', src('local-endpoints'), src('local-endpoints')),
    only(
      'collector-model-and-config-are-leaves',
      'The span record and the configuration: every layer reads them, they read none.',
      inCollector('model', 'config'),
      `${inCollector('model', 'config')}|${src('semconv', 'pricing')}`,
    ),
    only(
      'producers-read-spans-only',
      "The producer table: how each instrumentation's spans are read. It knows the span record and the names, nothing else.",
      inCollector('producers'),
      `${inCollector('producers', 'model')}|${src('semconv')}`,
    ),
    only(
      'rollup-reads-spans-only',
      'Roll-up turns spans into figures (read by their producer); it knows no store, metric or output.',
      inCollector('rollup'),
      `${inCollector('rollup', 'producers', 'model')}|${src('semconv', 'pricing')}`,
    ),
    only(
      'metrics-encode-observations',
      "The Prometheus registry and encoding, from the roll-up's observations.",
      inCollector('metrics'),
      `${inCollector('metrics', 'rollup', 'model')}|${src('semconv')}`,
    ),
    only(
      'store-below-traces',
      'The store keeps spans and roll-ups; it does not drive them.',
      inCollector('store'),
      `${inCollector('store', 'metrics', 'rollup', 'model')}|${src('semconv')}`,
    ),
    only(
      'traces-below-add-ons',
      'Trace completion knows no add-on, receiver or HTTP route.',
      inCollector('traces'),
      `${inCollector('traces', 'store', 'metrics', 'rollup', 'model', 'config')}|${src('semconv', 'pricing')}`,
    ),
    only(
      'receiver-decodes-only',
      'The OTLP receiver decodes and hands spans to a sink (keeping the attributes the producer table reads).',
      inCollector('receiver'),
      `${inCollector('receiver', 'http', 'producers', 'model')}|${src('semconv')}`,
    ),
    only(
      'http-below-add-ons',
      "Routing, the collector's own routes and the static page.",
      inCollector('http', 'web'),
      `${inCollector('http', 'web', 'store', 'metrics', 'config')}|${src('semconv')}`,
    ),
    only(
      'components-interface-only',
      "The add-on interface names the parts it is built from (the store's reader among them), nothing above them.",
      inCollector('components'),
      `${inCollector('components', 'config', 'http', 'metrics', 'model', 'rollup', 'store')}|${src('pricing')}`,
    ),
    only(
      'add-ons-stand-alone',
      "An add-on builds on the collector's layers through the component interface: never on another add-on (each is on or off by its own configuration) nor on the Collector.",
      inCollector('capacity', 'cloudwatch', 'budgets', 'quota', 'autoscaling'),
      `^collector/src/($1|components|config|http|metrics|model|rollup|store)/|${src('semconv', 'pricing')}`,
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    parser: 'swc',
    tsPreCompilationDeps: false,
    combinedDependencies: false,
    // Workspace packages resolve to their sources, as in this repository (the `@tokenledger/source` condition).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@tokenledger/source', 'import', 'require', 'node', 'default'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
