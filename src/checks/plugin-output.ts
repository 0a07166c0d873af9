/**
 * A plugin's output, split as the Monitoring Plugins development guidelines define it
 * (https://www.monitoring-plugins.org/doc/guidelines.html, "Plugin Output"):
 *
 *   TEXT OUTPUT | OPTIONAL PERFDATA
 *   LONG TEXT LINE 1
 *   LONG TEXT LINE 2 | PERFDATA LINE 2
 *   PERFDATA LINE 3
 *
 * The first line is the summary (with perfdata after its first "|"); the following lines are
 * long text until the first of them holding a "|", whose remainder and every later line are more
 * perfdata. Pure: text in, parts out.
 */
import { parsePerfdata, type PerfdataParse } from './perfdata.ts'

export interface PluginOutput extends PerfdataParse {
  /** The first line's text before any "|", trimmed (Nagios' $SERVICEOUTPUT$). */
  summary: string
  /** The later lines that are text, not perfdata, joined by "\n" (Nagios' $LONGSERVICEOUTPUT$). */
  longOutput: string
}

export function parsePluginOutput(text: string): PluginOutput {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const first = lines[0] ?? ''
  const bar = first.indexOf('|')
  const summary = (bar < 0 ? first : first.slice(0, bar)).trim()
  const perf: string[] = bar < 0 ? [] : [first.slice(bar + 1)]
  const long: string[] = []
  let inPerfdata = false
  for (const line of lines.slice(1)) {
    if (inPerfdata) {
      perf.push(line)
      continue
    }
    const at = line.indexOf('|')
    if (at < 0) {
      long.push(line)
    } else {
      long.push(line.slice(0, at))
      perf.push(line.slice(at + 1))
      inPerfdata = true
    }
  }
  while (long.length > 0 && long[long.length - 1]!.trim() === '') long.pop()
  return { summary, longOutput: long.join('\n').trimEnd(), ...parsePerfdata(perf.join(' ')) }
}
