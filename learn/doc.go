// Package learn trains spiking networks by gradient descent: surrogate
// gradients through the same neuron code that brainc simulates
// (dynamics.LifRef with a surrogate spike), back-propagation through time
// over the unrolled steps, GoMLX's optimizers, and a training loop with
// metrics, checkpoints and evaluation.
//
// The network is the standard spiking classifier of the surrogate-gradient
// literature (Neftci, Mostafa & Zenke 2019; Zenke & Vogels 2021):
//
//	input spikes x[t] ─W_in─► recurrent LIF layer s[t] ─W_out─► readout O[t]
//	                               ▲        │
//	                               └─W_rec──┘
//
// The hidden layer is a LifRef population whose input current in step t is
// x[t]·W_in + s[t−1]·W_rec (+ bias), held over the step. The readout is a
// leaky integrator (dynamics.Leaky) or a second spiking layer. Losses:
// softmax cross-entropy over the maximum or the mean over time of the
// readout potential, or the mean squared error of output spike counts
// against target counts; optionally a firing-rate regulariser on the hidden
// layer.
//
// Everything is float and dense (no spike compaction): the float
// propagation path is the one gradients flow through.
package learn
