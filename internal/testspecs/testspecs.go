// Package testspecs holds the small network specs that tests of several
// packages (lower, signature, explain) lower, so that each is written
// once.
package testspecs

// Packed has A and B in one block (A+B) whose fan-out table serves A2A
// (about 9,000 synapses, event kernel by size) and B2A (event kernel set
// in the spec); A2B (100 synapses) is dense, and all three merge into one
// synaptic state of the block.
const Packed = `
name: t
populations:
  A: {size: 300, model: LifRef, init: {V: uniform(-1 mV, 1 mV)}}
  B: {size: 20, model: LifRef}
projections:
  A2A: {pre: A, post: A, conn: {fixed_prob: 0.1}, weight: 1, synapse: Expon, output: CUBA}
  B2A: {pre: B, post: A, conn: {fixed_prob: 0.1}, weight: 1, synapse: Expon, output: CUBA, kernel: event}
  A2B: {pre: A, post: B, conn: {fixed_in_degree: 5}, weight: 1, synapse: Expon, output: CUBA}
monitors: {spikes: [B]}
`
