package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/npyio"
)

// fakeSignals makes watchInterrupts hand its channel to the test instead of
// subscribing to the process's signals, until the test ends.
func fakeSignals(t *testing.T) <-chan chan<- os.Signal {
	got := make(chan chan<- os.Signal, 4)
	notify, stop, exit := notifySignals, stopSignals, exitNow
	notifySignals = func(c chan<- os.Signal) { got <- c }
	stopSignals = func(chan<- os.Signal) {}
	t.Cleanup(func() { notifySignals, stopSignals, exitNow = notify, stop, exit })
	return got
}

// An interrupt ends a run at the next segment boundary and writes what it
// recorded, marked partial; the exit code is 130.
func TestInterruptWritesPartialRun(t *testing.T) {
	got := fakeSignals(t)
	out := filepath.Join(t.TempDir(), "out")
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result)
	go func() {
		code, stdout, stderr := runCLI("run", "coba", "--duration", "2 s", "--backend", "cpu", "--quiet", "--out", out)
		done <- result{code, stdout, stderr}
	}()
	(<-got) <- os.Interrupt // before the first segment ends
	r := <-done
	require.Equal(t, exitInterrupted, r.code, r.stderr)
	assert.Contains(t, r.stderr, "stopping at the next segment boundary")
	assert.Regexp(t, `brainc run: interrupted after step \d+ \(t = [0-9.]+ ms\): what was recorded up to there is in `+
		regexp.QuoteMeta(out)+`, marked "complete": false`, r.stderr)
	var sum map[string]any
	js, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &sum))
	assert.Equal(t, false, sum["complete"])
	steps := sum["steps_done"].(float64)
	assert.Greater(t, steps, 0.0)
	assert.Less(t, steps, 20000.0)
	assert.Contains(t, sum["error"], "interrupted after step")
	for _, f := range []string{"spikes.npz", "traces.npz", "raster.png"} {
		_, err := os.Stat(filepath.Join(out, f))
		assert.NoError(t, err, f)
	}
}

// A second interrupt quits at once while nothing is being written, and
// waits for the write otherwise.
func TestSecondInterruptQuits(t *testing.T) {
	got := fakeSignals(t)
	codes := make(chan int, 2)
	exitNow = func(code int) { codes <- code }
	var mu sync.Mutex
	var log bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return log.Write(p) })
	said := func(s string) func() bool {
		return func() bool { mu.Lock(); defer mu.Unlock(); return strings.Contains(log.String(), s) }
	}

	running := watchInterrupts(w, "run", "stopping")
	c := <-got
	c <- os.Interrupt
	<-running.Stop
	c <- os.Interrupt
	assert.Equal(t, exitInterrupted, <-codes)
	running.close()

	writing := watchInterrupts(w, "run", "stopping")
	c = <-got
	writing.Writing()
	c <- os.Interrupt
	c <- os.Interrupt
	require.Eventually(t, said("writing the outputs"), 10*time.Second, 10*time.Millisecond)
	writing.close()
	assert.Empty(t, codes, "no exit while writing")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// Off a terminal, a run reports one line every progressEvery, in model
// time, with its speed measured from the first report (after the compile).
func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	t0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	clock := t0
	p := newProgress(&buf, 10000, 0.1, false)
	p.now, p.start, p.last = func() time.Time { return clock }, t0, t0
	at := func(d time.Duration, done int) { clock = t0.Add(d); p.update(done) }
	at(500*time.Millisecond, 64)
	at(3*time.Second, 2000)
	assert.Empty(t, buf.String(), "nothing before progressEvery")
	at(5500*time.Millisecond, 6064)
	assert.Equal(t, "brainc run: 606.4 / 1000 ms (60%), 5.5 s elapsed, 0.12 model s per s, 3 s left\n", buf.String())
	p.done()

	buf.Reset()
	p.compiled(1, 1234*time.Millisecond)
	p.compiled(2, 2*time.Second)
	assert.Equal(t, "brainc run: compiled in 1.23 s, running\n", buf.String(), "the first compile is said, once")
	buf.Reset()
	p.writing("out")
	assert.Equal(t, "brainc run: writing out …\n", buf.String())
	buf.Reset()

	quiet := newProgress(&buf, 10000, 0.1, true)
	quiet.compiling()
	quiet.compiled(1, time.Second)
	quiet.writing("out")
	quiet.now = func() time.Time { return t0.Add(time.Hour) }
	quiet.update(5000)
	assert.Empty(t, buf.String(), "--quiet reports nothing")
}

// --float64, or precision: float64 in the spec, simulates in float64: the
// traces then hold values no float32 has, and both ways agree to the bit;
// a precision brainc lacks is refused with its line.
func TestFloat64Runs(t *testing.T) {
	tier.Slow(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	spec64 := filepath.Join(dir, "tiny64.yaml")
	require.NoError(t, os.WriteFile(spec64, []byte(strings.Replace(tinySpec, "seed: 5\n", "seed: 5\nprecision: float64\n", 1)), 0o644))
	trace := func(out string, args ...string) ([]float64, map[string]any) {
		code, _, stderr := runCLI(append([]string{"run", "--backend", "cpu", "--quiet", "--duration", "20 ms", "--out", out}, args...)...)
		require.Equal(t, 0, code, stderr)
		arrs, err := npyio.ReadNPZMap(filepath.Join(out, "traces.npz"))
		require.NoError(t, err)
		v, err := npyio.Float64s(arrs["E.V"])
		require.NoError(t, err)
		var sum map[string]any
		js, err := os.ReadFile(filepath.Join(out, "summary.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(js, &sum))
		return v, sum
	}
	v32, s32 := trace(filepath.Join(dir, "o32"), spec)
	v64, s64 := trace(filepath.Join(dir, "o64"), spec, "--float64")
	vSpec, _ := trace(filepath.Join(dir, "ospec"), spec64)
	assert.Equal(t, "float32", s32["precision"])
	assert.Equal(t, "float64", s64["precision"])
	assert.Equal(t, v64, vSpec, "--float64 and precision: float64 are one run")
	wide := 0
	for _, x := range v64 {
		if float64(float32(x)) != x {
			wide++
		}
	}
	assert.Greater(t, wide, len(v64)/4, "float64 values (the rest are the reset potential, -60 mV, held while refractory)")
	for _, x := range v32 {
		require.Equal(t, x, float64(float32(x)), "float32 values")
	}
	require.NoError(t, os.WriteFile(spec64, []byte(strings.Replace(tinySpec, "seed: 5\n", "seed: 5\nprecision: float16\n", 1)), 0o644))
	code, _, stderr := runCLI("run", spec64, "--backend", "cpu", "--out", filepath.Join(dir, "bad"))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, spec64+`:6: precision: expected float32 or float64, got "float16"`)
}

// --plot svg writes the plots as SVG; another format is a usage error.
func TestPlotSVG(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "tiny.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(tinySpec), 0o644))
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI("run", spec, "--backend", "cpu", "--quiet", "--duration", "20 ms", "--plot", "svg", "--out", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "wrote "+out+"/{spikes.npz,traces.npz,raster.svg,stats.svg,traces.svg,summary.json}")
	for _, f := range []string{"raster.svg", "stats.svg", "traces.svg"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		require.NoError(t, err)
		assert.Contains(t, string(b), "<svg", f)
	}
	code, _, stderr = runCLI("run", spec, "--plot", "gif", "--out", filepath.Join(dir, "o2"))
	assert.Equal(t, 2, code)
	assert.Equal(t, "brainc run: --plot: expected png or svg, got \"gif\"\n", stderr)
}
