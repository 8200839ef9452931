// Package ops holds brainc's sparse and event-driven operators on GoMLX
// nodes: spike compaction into a fixed capacity, and spike propagation through
// stored connectivity in an event-driven form (only rows of neurons that
// fired) and a dense/float form (every synapse, differentiable).
//
// Both propagation forms compute the same sums for the same spikes; the
// event form's cost is O(spikes × fan-out), the dense form's O(synapses).
package ops
