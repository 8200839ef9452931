package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// CueOptions configure Cues, an evidence-accumulation task after Bellec et
// al. 2020 (Nat. Commun. 11:3625, Fig. 3): a sequence of cues, each on the
// left or the right input group, then a delay; the label is the side that
// had more cues, so the network must count and hold its count until the
// end of the sample.
type CueOptions struct {
	// Cues is the number of cues per sample (odd, so that there are no ties).
	Cues int
	// UnitsPerSide is the size of each input group; the set has 2× as many
	// units, left first.
	UnitsPerSide int
	// CueMS and GapMS are each cue's length and the silence after it, DelayMS
	// the silence after the last cue's gap (ms).
	CueMS, GapMS, DelayMS float64
	// RateHz is the firing rate of a cue's group during the cue (Poisson).
	RateHz float64
	// Samples is the number of samples.
	Samples int
	// Seed makes the set: equal options give identical sets.
	Seed uint64
}

// DefaultCues returns 7 cues of 10 ms with 10 ms gaps, a 50 ms delay, 2×10
// units at 100 Hz, 2,000 samples, seed 1 (190 ms per sample).
func DefaultCues() CueOptions {
	return CueOptions{Cues: 7, UnitsPerSide: 10, CueMS: 10, GapMS: 10, DelayMS: 50, RateHz: 100, Samples: 2000, Seed: 1}
}

// streamCues selects Cues' random stream.
const streamCues = 0x63756573 // "cues"

// maxCueEvents bounds the spikes Cues generates.
const maxCueEvents = 1 << 28

// Cues generates the evidence-accumulation set: 2 classes (0: more left
// cues, 1: more right), spike times in seconds.
func Cues(o CueOptions) (*Set, error) {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case o.Cues < 1 || o.Cues%2 == 0 || o.Cues > 1000:
		return nil, fmt.Errorf("dataset: cues must be odd and in [1, 1000], got %d", o.Cues)
	case o.UnitsPerSide < 1 || o.UnitsPerSide > 1<<16:
		return nil, fmt.Errorf("dataset: units per side must be in [1, 65536], got %d", o.UnitsPerSide)
	case !(o.CueMS > 0) || !finite(o.CueMS) || !(o.GapMS >= 0) || !finite(o.GapMS) || !(o.DelayMS >= 0) || !finite(o.DelayMS):
		return nil, fmt.Errorf("dataset: cue %g ms, gap %g ms and delay %g ms must be finite, the cue > 0", o.CueMS, o.GapMS, o.DelayMS)
	case !(o.RateHz > 0) || o.RateHz > 1000:
		return nil, fmt.Errorf("dataset: the cue rate must be in (0, 1000] Hz, got %g", o.RateHz)
	case o.Samples < 1 || o.Samples > 1<<24:
		return nil, fmt.Errorf("dataset: samples must be in [1, %d], got %d", 1<<24, o.Samples)
	}
	perCue := float64(o.UnitsPerSide) * o.RateHz * o.CueMS / 1000
	if perCue*float64(o.Cues)*float64(o.Samples) > maxCueEvents/4 {
		return nil, fmt.Errorf("dataset: %g expected spikes exceed %d", perCue*float64(o.Cues)*float64(o.Samples), maxCueEvents/4)
	}
	r := rand.New(rand.NewPCG(o.Seed, streamCues))
	span := (float64(o.Cues)*(o.CueMS+o.GapMS) + o.DelayMS) / 1000
	set := &Set{Units: 2 * o.UnitsPerSide, Duration: span, Classes: 2, Samples: make([]Sample, o.Samples)}
	p := o.RateHz / 1000 // spikes per unit per ms
	for s := range set.Samples {
		smp := &set.Samples[s]
		right := 0
		for c := range o.Cues {
			side := r.IntN(2)
			right += side
			start := float64(c) * (o.CueMS + o.GapMS)
			for u := range o.UnitsPerSide {
				// A Poisson train over the cue: exponential intervals.
				for t := start + r.ExpFloat64()/p; t < start+o.CueMS; t += r.ExpFloat64() / p {
					smp.Times = append(smp.Times, t/1000)
					smp.Units = append(smp.Units, int32(side*o.UnitsPerSide+u))
				}
			}
		}
		if 2*right > o.Cues {
			smp.Label = 1
		}
	}
	return set, nil
}
