/** Types of `parse-prometheus-text-format` (the package ships none). */
declare module 'parse-prometheus-text-format' {
  /** One sample of a family: its value as written, and its labels. */
  export interface PrometheusSample {
    readonly value: string;
    readonly labels?: Readonly<Record<string, string>>;
  }
  /** One metric family. */
  export interface PrometheusFamily {
    readonly name: string;
    readonly help: string;
    readonly type: string;
    readonly metrics: readonly PrometheusSample[];
  }
  /** Parses the Prometheus text exposition format; throws on text that is not. */
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
