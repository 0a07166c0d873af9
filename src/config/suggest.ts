/**
 * "Did you mean" for option names: the known name nearest to a mistyped one, by edit distance
 * over case-folded names (so `heartbeatIntervalMS` finds `heartbeatIntervalMs`), when it is
 * near enough to be a typo rather than a different word.
 */
export function closestName(input: string, known: Iterable<string>): string | undefined {
  const folded = input.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of known) {
    const d = editDistance(folded, name.toLowerCase())
    if (d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  // A third of the name may differ: catches typos and case slips, not unrelated words.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(input.length / 3)) ? best : undefined
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment): "jion" is one from "join". */
export function editDistance(a: string, b: string): number {
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1)
      current[j] = d
    }
    before = previous
    previous = current
  }
  return previous[b.length]!
}
