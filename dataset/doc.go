// Package dataset holds labelled spike-train data sets for training spiking
// networks: a [Set] of event-list [Sample]s, binning into dense time-major
// arrays ([Set.Dense]), deterministic splits and batches, the synthetic
// Random Manifold task ([Randman]), and an .npz file format for real event
// data sets such as SHD ([LoadNPZ], [Set.WriteNPZ]).
//
// # File format
//
// A set is stored as a NumPy .npz archive with the arrays
//
//	times    float32 or float64 [E]    spike times in seconds, ≥ 0
//	units    int32 or int64     [E]    spiking unit of each event, ≥ 0
//	offsets  int64 or int32     [S+1]  sample i owns events offsets[i]:offsets[i+1]
//	labels   int32 or int64     [S]    class of each sample, ≥ 0
//
// and the optional scalars (0-d or one-element arrays of those four types)
//
//	n_units    number of input units   (default: max unit + 1)
//	duration   sample length, seconds  (default: max time)
//	n_classes  number of classes       (default: max label + 1)
//
// offsets must start at 0, never decrease and end at E. Events need not be
// sorted by time. [Set.WriteNPZ] writes float64 times, int32 units and
// labels, int64 offsets and all three scalars, deterministically.
//
// # Random Manifolds
//
// [Randman] generates the Random Manifold (randman) task of Zenke & Vogels
// (2021), "The remarkable robustness of surrogate gradient learning for
// instilling complex function in spiking neural networks", Neural
// Computation 33(4):899–925 (reference code: github.com/fzenke/randman).
// Each class is a random smooth manifold embedded in [0,1]^Units; a sample is
// a random point on it, encoded as one spike per unit (by default) whose
// timing is the point's coordinate. Spike counts carry no information: only timing does.
package dataset
