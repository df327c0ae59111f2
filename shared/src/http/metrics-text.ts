/** One sample of a scrape: `name{labels} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;
const ESCAPES: Record<string, string> = { '\\\\': '\\', '\\"': '"', '\\n': '\n' };

function labelsOf(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const [, name = '', raw = ''] = match;
    labels[name] = raw.replace(/\\[\\"n]/g, (escape) => ESCAPES[escape] ?? escape);
  }
  return labels;
}

/**
 * Reads a scrape in the Prometheus text format (version 0.0.4) into its samples; comments
 * (`# HELP`, `# TYPE`) are skipped. Throws on a line that is not a sample.
 */
export function parseMetricsText(text: string): MetricSample[] {
  return text.split('\n').flatMap((line) => {
    if (line.trim() === '' || line.startsWith('#')) return [];
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const [, name = '', labels = '', value = ''] = match;
    return [{ name, labels: labelsOf(labels, line), value: Number(value) }];
  });
}

/**
 * The value of the one sample named `name` whose labels include `labels`; 0 when there is
 * none (a counter not counted yet). Throws when several samples match.
 */
export function sampleValue(
  samples: MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
  );
  if (found.length > 1) {
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  }
  return found[0]?.value ?? 0;
}

/** One scrape of a server's `/metrics`: its text and its samples. */
export interface Scrape {
  text: string;
  samples: MetricSample[];
  /** The value of one sample (`sampleValue`). */
  value(name: string, labels?: Record<string, string>): number;
}

/** Fetches `<origin>/metrics`; throws unless it answers 200 in the Prometheus text format. */
export async function scrapeMetrics(origin: string): Promise<Scrape> {
  const response = await fetch(`${origin}/metrics`);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || !type.startsWith('text/plain')) {
    throw new Error(`${origin}/metrics answered ${response.status} ${type}: ${text.slice(0, 200)}`);
  }
  const samples = parseMetricsText(text);
  return { text, samples, value: (name, labels) => sampleValue(samples, name, labels) };
}
