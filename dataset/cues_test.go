package dataset

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Each sample's label is the side whose units fired in more of the cue
// windows; equal options give the same set; bad options are refused.
func TestCues(t *testing.T) {
	o := DefaultCues()
	o.Samples = 200
	set, err := Cues(o)
	require.NoError(t, err)
	require.Equal(t, 20, set.Units)
	require.Equal(t, 2, set.Classes)
	require.InDelta(t, 0.19, set.Duration, 1e-12)
	labels := 0
	for _, s := range set.Samples {
		right := 0
		for c := range o.Cues {
			lo, hi := float64(c)*(o.CueMS+o.GapMS)/1000, (float64(c)*(o.CueMS+o.GapMS)+o.CueMS)/1000
			sides := map[int]bool{}
			for i, tm := range s.Times {
				if tm >= lo && tm < hi {
					sides[int(s.Units[i])/o.UnitsPerSide] = true
				}
			}
			require.Len(t, sides, 1, "cue %d must be on one side", c)
			if sides[1] {
				right++
			}
		}
		want := int32(0)
		if 2*right > o.Cues {
			want = 1
		}
		require.Equal(t, want, s.Label)
		labels += int(s.Label)
	}
	require.InDelta(t, 100, labels, 30, "both classes occur")
	again, err := Cues(o)
	require.NoError(t, err)
	require.Equal(t, set, again)
	for _, bad := range []func(*CueOptions){
		func(o *CueOptions) { o.Cues = 4 },
		func(o *CueOptions) { o.UnitsPerSide = 0 },
		func(o *CueOptions) { o.CueMS = 0 },
		func(o *CueOptions) { o.RateHz = -1 },
		func(o *CueOptions) { o.Samples = 0 },
	} {
		b := DefaultCues()
		bad(&b)
		_, err := Cues(b)
		require.Error(t, err)
	}
}
