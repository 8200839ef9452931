package eqs

import (
	"strings"
	"testing"
)

// FuzzParseExprDeep builds expressions nested or repeated up to millions
// of times from a few fuzzed pieces (open^n core close^n): the reader
// never overflows its stack or hangs, refuses what passes its limits with
// a short message, and what it accepts can be written back, checked
// (to a dimension in range), evaluated and used in a model.
func FuzzParseExprDeep(f *testing.F) {
	f.Add("(", "v", ")", uint32(1_000_000))
	f.Add("-", "v", "", uint32(1_000_000))
	f.Add("+-", "v", "", uint32(300_000))
	f.Add("not ", "v > 1 mV", "", uint32(300))
	f.Add("abs(", "v", ")", uint32(257))
	f.Add("", "v", "**1", uint32(300))
	f.Add("v + ", "v", "", uint32(120_000))
	f.Add("v*", "v/mV", "", uint32(10_000))
	f.Add("mV*", "1", "", uint32(129))
	f.Add("(", "mV*mV", ")**2", uint32(61))
	f.Add("where(v > 0 mV, ", "v", ", -v)", uint32(200))
	f.Add("", "v", "", uint32(0))
	f.Fuzz(func(t *testing.T, open, core, close string, n uint32) {
		n %= 2_000_001
		if piece := len(open) + len(close); piece > 0 && uint64(piece)*uint64(n) > 8<<20 {
			n = uint32(8 << 20 / piece)
		}
		text := strings.Repeat(open, int(n)) + core + strings.Repeat(close, int(n))
		e, err := ParseExpr(text)
		if err != nil {
			if len(err.Error()) > 1000 {
				t.Fatalf("a %d-byte message: %.200s", len(err.Error()), err)
			}
			return
		}
		_ = e.String()
		_ = Eval(e, map[string]float64{"v": 1})
		if _, d, err := CheckExpr(text, map[string]Dim{"v": Voltage}); err == nil && !d.Valid() {
			t.Fatalf("accepted a dimension out of range: %v", d)
		} else if err != nil && len(err.Error()) > 1000 {
			t.Fatalf("a %d-byte message: %.200s", len(err.Error()), err)
		}
		if !strings.ContainsAny(text, "\n#;") {
			_, err := ParseNeuron(Source{Equations: "dv/dt = (" + text + ")*0/ms : mV", Threshold: "v > 1 mV", Reset: "v = " + text})
			if err != nil && len(err.Error()) > 1000 {
				t.Fatalf("a %d-byte message: %.200s", len(err.Error()), err)
			}
		}
	})
}
