/**
 * `healthmon keygen <file>`: writes a new cluster key, a libp2p pre-shared key (pnet). Agents
 * started with `--cluster-key-file <file>` only complete connections with peers holding the same
 * key, so nobody outside the cluster can even finish a handshake. Copy the file to every node.
 */
import { writeFileSync } from 'node:fs'
import { Command } from 'commander'

export function keygenCommand(): Command {
  return new Command('keygen')
    .description('write a new cluster key (pre-shared key) for agents started with --cluster-key-file')
    .argument('<file>', 'where to write it: created with mode 0600, never overwritten')
    .action(async (file: string) => {
      // Loaded here: the key format comes with libp2p's pnet, which other commands do not need.
      const { generateClusterKey } = await import('../../transport/node-key.ts')
      try {
        writeFileSync(file, generateClusterKey(), { mode: 0o600, flag: 'wx' })
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        const message = code === 'EEXIST' ? `${file} already exists; a cluster key is never overwritten (remove it first if you mean to rotate it)` : `cannot write ${file}: ${(err as Error).message}`
        throw new Error(message, { cause: err })
      }
      process.stdout.write(`wrote a new cluster key to ${file}: copy it to every node and start each agent with --cluster-key-file ${file}\n`)
    })
}
