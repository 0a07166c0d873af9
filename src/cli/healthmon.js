#!/usr/bin/env -S node --max-semi-space-size=1
// The `healthmon` command. The code is TypeScript run directly by Node 24 (type stripping), so this
// shim only imports the entry point.
//
// --max-semi-space-size=1 (MiB): V8 sizes the young generation for a throughput workload (up to
// 32 MiB per semi-space on a large machine); an agent allocates little and lives long, and the
// smaller young generation cuts its resident memory by ~45 MB at no measurable CPU cost
// (scripts/bench-detect.ts measures both). The same flag is in `npm start` and in the process
// cluster that tests and benchmarks launch agents with (src/sim/process-cluster.ts).
import './main.ts'
