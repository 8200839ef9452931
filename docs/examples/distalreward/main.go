// Command distalreward runs Izhikevich's (2007) distal-reward experiment
// (docs/learning.md): in a network of 1,000 Izhikevich neurons whose
// excitatory synapses learn by dopamine-modulated STDP, one synapse n1 → n2
// is chosen, and every time n2 fires within 10 ms after n1 a reward
// (dopamine) arrives 1–3 s later, after many other spikes. The eligibility
// trace of each synapse (c, kept per synapse) bridges the delay; the
// rewarded synapse grows to its bound while the others stay low.
//
//	go run ./docs/examples/distalreward -minutes 60 -out distal-reward.png
//
// The controller runs between pieces of 100 ms of a brainc.Sim: it reads
// the spikes of n1 and n2, schedules the rewards, and adds 0.5 to the
// dopamine population's d when one is due (so rewards land on the 100 ms
// grid, where the paper's land on the millisecond).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"

	"github.com/brainc/brainc"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/plot"
)

// network is Izhikevich 2007's: 800 regular-spiking excitatory and 200
// fast-spiking inhibitory neurons, 100 synapses out of each (excitatory
// ones with 1–20 ms delays, plastic), a random thalamic kick of 20 mV per
// neuron about once a second, and a dopamine concentration d (a one-neuron
// population that decays with τ = 200 ms) that the rule reads as DA.
const network = `
name: distal-reward
dt: 1 ms
seed: 1
populations:
  E: {size: 800, model: Izhikevich, params: {a: 0.02, b: 0.2, c: -65 mV, d: 8 mV}, init: {V: -65 mV, u: -13 mV}}
  I: {size: 200, model: Izhikevich, params: {a: 0.1, b: 0.2, c: -65 mV, d: 2 mV}, init: {V: -65 mV, u: -13 mV}}
  TE: {size: 800, model: Poisson, params: {rate: 1 Hz}}
  TI: {size: 200, model: Poisson, params: {rate: 1 Hz}}
  Dopamine:
    size: 1
    model: {equations: "dd/dt = -d/tau_d : 1", params: {tau_d: 200 ms}}
projections:
  TE_E: {pre: TE, post: E, conn: {one_to_one: true}, weight: 20, synapse: Delta, output: Delta}
  TI_I: {pre: TI, post: I, conn: {one_to_one: true}, weight: 20, synapse: Delta, output: Delta}
  E2E:
    pre: E
    post: E
    conn: {fixed_out_degree: 80}
    weight: 1
    delay: uniform(1 ms, 20 ms)
    synapse: Delta
    output: Delta
    plasticity: &rule
      equations: |
        dx_pre/dt = -x_pre/tau_plus : 1 (pre)
        dx_post/dt = -x_post/tau_minus : 1 (post)
        dc/dt = -c/tau_c : 1 (clock-driven)
        dw/dt = (0.002 + DA)*c/(10*ms) : 1 (clock-driven)
        DA : 1
      on_pre: |
        c -= A_minus*x_post
        x_pre += 1
        w = clip(w, 0, w_max)
      on_post: |
        c += A_plus*x_pre
        x_post += 1
        w = clip(w, 0, w_max)
      params: {tau_plus: 20 ms, tau_minus: 20 ms, tau_c: 1 s, A_plus: 0.1, A_minus: 0.15, w_max: 4}
      modulators: {DA: Dopamine.d}
  E2I:
    pre: E
    post: I
    conn: {fixed_out_degree: 20}
    weight: 1
    delay: uniform(1 ms, 20 ms)
    synapse: Delta
    output: Delta
    plasticity: *rule
  I2E: {pre: I, post: E, conn: {fixed_out_degree: 100}, weight: -1, delay: 1 ms, synapse: Delta, output: Delta}
`

// outcome is what the experiment reports.
type outcome struct {
	// N1 and N2 are the rewarded synapse's neurons, K its index in E2E.
	N1, N2, K int
	// Rewards counts the rewards delivered.
	Rewards int
	// T (s), Chosen and Mean, SD sample the rewarded synapse's weight and
	// the other E→E weights' mean and s.d. every 10 s.
	T, Chosen, Mean, SD []float64
	// Final are the E→E weights at the end.
	Final []float64
}

func main() {
	minutes := flag.Float64("minutes", 60, "model time (min)")
	out := flag.String("out", "distal-reward.png", "the plot (PNG or SVG)")
	seed := flag.Uint64("seed", 1, "the seed of the reward delays")
	flag.Parse()
	o, err := run(context.Background(), *minutes, *seed, os.Stderr)
	if err != nil {
		log.Fatal(err)
	}
	others := slices.Delete(slices.Clone(o.Final), o.K, o.K+1)
	sort.Float64s(others)
	fmt.Printf("rewarded synapse E %d → E %d: w 1 → %.3f (bound 4), %d rewards in %g min\n", o.N1, o.N2, o.Final[o.K], o.Rewards, *minutes)
	fmt.Printf("the other %d E→E synapses: mean %.3f, median %.3f, 99th percentile %.3f\n", len(others), mean(others),
		others[len(others)/2], others[len(others)*99/100])
	if err := draw(*out, o); err != nil {
		log.Fatal(err)
	}
}

// run simulates the experiment for minutes of model time, writing a line
// per model minute to progress (when not nil).
func run(ctx context.Context, minutes float64, seed uint64, progress io.Writer) (*outcome, error) {
	net, err := netspec.Parse([]byte(network), "distal-reward.yaml")
	if err != nil {
		return nil, err
	}
	// The connectivity is drawn from the spec's seed: a first Sim lists it,
	// and the synapse to reward is the first E→E synapse between two
	// distinct neurons n1 < n2 (so that the monitor lists them in order).
	probe, err := brainc.New(net, brainc.Options{})
	if err != nil {
		return nil, err
	}
	pre, post, err := probe.Synapses("E2E")
	probe.Close()
	if err != nil {
		return nil, err
	}
	o := &outcome{K: -1}
	for k := range pre {
		if pre[k] < post[k] {
			o.N1, o.N2, o.K = int(pre[k]), int(post[k]), k
			break
		}
	}
	if o.K < 0 {
		return nil, fmt.Errorf("no E→E synapse with pre < post")
	}
	net.Monitors = ir.Monitors{Spikes: []string{"E"}, SpikeNeurons: map[string][]int{"E": {o.N1, o.N2}}}
	sim, err := brainc.New(net, brainc.Options{})
	if err != nil {
		return nil, err
	}
	defer sim.Close()
	rng := rand.New(rand.NewPCG(seed, 2007))
	const piece = 100.0 // ms between looks
	var due []float64   // reward times (ms)
	seen, lastN1 := 0, math.Inf(-1)
	err = sim.RunEach(ctx, minutes*60e3, piece, func(now float64) error {
		sp := sim.Result().Spikes["E"]
		for k := seen; k < len(sp.Times); k++ {
			t, i := sp.Times[k], int(sp.Indices[k])
			switch {
			case i == o.N1:
				lastN1 = t
			case i == o.N2 && t > lastN1 && t-lastN1 <= 10:
				due = append(due, lastN1+1000+2000*rng.Float64())
				lastN1 = math.Inf(-1) // one reward per n1 spike
			}
		}
		seen = len(sp.Times)
		n := 0
		for len(due) > 0 && due[0] <= now {
			due, n = due[1:], n+1
		}
		if n > 0 {
			d, err := sim.Get("Dopamine", "d")
			if err != nil {
				return err
			}
			if err := sim.Set("Dopamine", "d", []float64{d[0] + 0.5*float64(n)}); err != nil {
				return err
			}
			o.Rewards += n
		}
		if math.Mod(now, 10e3) < piece/2 { // every 10 s
			w, err := sim.Get("E2E", "w")
			if err != nil {
				return err
			}
			others := slices.Delete(slices.Clone(w), o.K, o.K+1)
			m := mean(others)
			o.T, o.Chosen, o.Mean, o.SD = append(o.T, now/1e3), append(o.Chosen, w[o.K]), append(o.Mean, m), append(o.SD, sd(others, m))
			if progress != nil && math.Mod(now, 60e3) < piece/2 {
				fmt.Fprintf(progress, "%3.0f min: %d rewards, rewarded synapse %.3f, others %.3f ± %.3f\n", now/60e3, o.Rewards, w[o.K], m, o.SD[len(o.SD)-1])
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	o.Final, err = sim.Get("E2E", "w")
	return o, err
}

// draw plots the rewarded synapse's weight against the others' over time,
// and the final weights' distribution.
func draw(path string, o *outcome) error {
	hist, err := plot.Histogram("other E→E synapses", slices.Delete(slices.Clone(o.Final), o.K, o.K+1), 40, 0, 4)
	if err != nil {
		return err
	}
	top := 0.0
	for _, y := range hist.Y {
		top = max(top, y)
	}
	return plot.Curves(path, []plot.Panel{
		{Title: fmt.Sprintf("rewarded synapse E %d → E %d against the others", o.N1, o.N2), XLabel: "time (s)", YLabel: "weight (mV)", Lines: true,
			Series: []plot.Series{{Name: "rewarded synapse", X: o.T, Y: o.Chosen},
				{Name: "others: mean ± s.d.", X: o.T, Y: o.Mean, Err: o.SD}}},
		{Title: "weights at the end", XLabel: "weight (mV)", YLabel: "fraction of synapses", Lines: true,
			Series: []plot.Series{hist, {Name: "rewarded synapse", X: []float64{o.Final[o.K], o.Final[o.K]}, Y: []float64{0, top}}}},
	})
}

// mean is the mean of v.
func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// sd is the standard deviation of v around m.
func sd(v []float64, m float64) float64 {
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)))
}
