// Package dynamics holds brainc's model families as GoMLX graph code: neurons,
// synapses and outputs, and the integrators that advance them.
//
// A model declares its state variables, its parameters (as Go fields, in the
// IR's base units: ms, mV) and its derivative; integration is generic over the
// derivative (see Integrator), never hand-inlined per model. Everything here
// builds pure graph functions: state in, state out, no hidden variables, so
// the same code is simulated and differentiated.
package dynamics
