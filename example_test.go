package brainc_test

import (
	"context"
	"fmt"
	"log"

	"github.com/brainc/brainc"
	"github.com/brainc/brainc/bptt"
	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/learn"
	"github.com/brainc/brainc/ops"
	"github.com/brainc/brainc/signature"
	"github.com/brainc/brainc/sweep"
)

// oneNeuron is a leaky integrate-and-fire neuron driven above threshold:
// it reaches threshold after 20·ln 2 = 13.86 ms and then fires every
// 18.9 ms (5 ms refractory).
func oneNeuron() *ir.Network {
	return &ir.Network{
		Name: "one", Dt: 0.1, Duration: 100,
		Populations: []*ir.Population{{
			Name: "N", Size: 1, Model: "LifRef",
			Params: map[string]float64{"V_rest": -60, "V_th": -50, "V_reset": -60, "tau": 20, "tau_ref": 5},
			Init:   map[string]ir.Init{"V": {Kind: ir.InitConst, A: -60}},
			Input:  ir.Input{Kind: ir.InputConstant, Value: 20},
		}},
		Monitors: ir.Monitors{Spikes: []string{"N"}, Traces: []ir.Trace{{Pop: "N", Var: "V", Indices: []int{0}}}},
	}
}

// A network built in Go, run for its duration.
func Example() {
	res, err := brainc.Run(context.Background(), oneNeuron(), brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	n := res.Spikes["N"]
	fmt.Printf("%d spikes at %.1f ms\n", len(n.Times), n.Times)
	fmt.Printf("V after the first step: %.4f mV\n", res.Traces[0].Values[0])
	// Output:
	// 5 spikes at [13.8 32.7 51.6 70.5 89.4] ms
	// V after the first step: -59.9002 mV
}

// A built-in network (or a spec file's path), run for 100 ms; its results
// saved as brainc run saves them.
func ExampleLoad() {
	net, err := brainc.Load("cuba")
	if err != nil {
		log.Fatal(err)
	}
	net.Duration = 100
	res, err := brainc.Run(context.Background(), net, brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Steps, "steps;", res.Spikes["E"].Size, "E neurons,", res.Spikes["I"].Size, "I neurons")
	// res.Save("out") writes spikes.npz, traces.npz, summary.json and raster.png.
	// Output: 1000 steps; 3200 E neurons, 800 I neurons
}

// A simulation runs on from where it stopped: two runs of 50 ms record
// what one of 100 ms does.
func ExampleSim_Run() {
	sim, err := brainc.New(oneNeuron(), brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	for range 2 {
		if err := sim.Run(context.Background(), 50); err != nil {
			log.Fatal(err)
		}
		res := sim.Result()
		fmt.Printf("%d steps: spikes at %.1f ms\n", res.Steps, res.Spikes["N"].Times)
	}
	// Output:
	// 500 steps: spikes at [13.8 32.7] ms
	// 1000 steps: spikes at [13.8 32.7 51.6 70.5 89.4] ms
}

// Train a spiking classifier on a two-class Random Manifold task: 20 input
// units, 32 recurrent LIF neurons, 25 steps of 1 ms, BPTT with a surrogate
// gradient.
func ExampleTrain() {
	o := dataset.DefaultRandman()
	o.Classes, o.Units, o.SamplesPerClass, o.Steps = 2, 20, 128, 25
	data, err := dataset.Randman(o)
	if err != nil {
		log.Fatal(err)
	}
	trainSet, testSet := data.Split(0.75, 1)
	c := learn.DefaultConfig()
	c.Inputs, c.Hidden, c.Outputs, c.Steps = 20, 32, 2, 25
	c.InScale, c.Batch, c.Epochs, c.LR = 20, 32, 20, 5e-2
	_, epochs, err := brainc.Train(context.Background(), c, trainSet, testSet, brainc.TrainOptions{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	first, last := epochs[0], epochs[len(epochs)-1]
	fmt.Println(len(epochs), "epochs; loss decreased:", last.Loss < first.Loss, "; test accuracy ≥ 0.9:", last.TestAccuracy >= 0.9)
	// Output: 20 epochs; loss decreased: true ; test accuracy ≥ 0.9: true
}

// Reading results: spike counts per neuron and a trace's values at its
// recorded times.
func ExampleResult() {
	net := oneNeuron()
	net.Monitors.Every = 10 // a trace row every 10 ms: V(10.1 ms) = -60 + 20·(1 − e^(−10.1/20)) mV
	res, err := brainc.Run(context.Background(), net, brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	counts := make([]int, res.Spikes["N"].Size)
	for _, i := range res.Spikes["N"].Indices {
		counts[i]++
	}
	fmt.Println("spikes per neuron:", counts, "rate:", res.Spikes["N"].Rate(res.Steps, res.Dt), "Hz")
	v := res.Traces[0]
	for r, t := range v.Times[:3] {
		fmt.Printf("V(%g ms) = %.2f mV\n", t, v.Values[r*len(v.Indices)])
	}
	// Output:
	// spikes per neuron: [5] rate: 50 Hz
	// V(0 ms) = -59.90 mV
	// V(10 ms) = -52.07 mV
	// V(20 ms) = -58.84 mV
}

// A sweep: every combination of two membrane time constants and two seeds,
// one table row each (the neuron has no random input: the seeds agree;
// tau 10 ms: a spike every 10·ln 2 + 5 ms = 11.9 ms, 8 in 100 ms).
func ExampleSweep() {
	net := oneNeuron()
	a, err := sweep.ParseSet("N.tau=[10 ms, 20 ms]", net)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := brainc.Sweep(context.Background(), net, sweep.Grid{Axes: []sweep.Axis{a}, Seeds: []uint64{1, 2}}, brainc.Options{Backend: "cpu"})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rows {
		fmt.Printf("tau %g ms, seed %d: %.0f Hz\n", r.Values[0], r.Seed, r.Pops["N"].RateHz)
	}
	// Output:
	// tau 10 ms, seed 1: 80 Hz
	// tau 10 ms, seed 2: 80 Hz
	// tau 20 ms, seed 1: 50 Hz
	// tau 20 ms, seed 2: 50 Hz
}

// A network built in Go trained through the simulator's time loop: 20
// input neurons whose spikes are the data drive 32 LIF neurons, which
// drive 3 leaky readout neurons that never fire; the readout's maximum
// potential over the sample is the class logit.
func ExampleTrainNetwork() {
	lif := func(name string, size int, vth float64) *ir.Population {
		return &ir.Population{Name: name, Size: size, Model: "LifRef",
			Params: map[string]float64{"V_rest": 0, "V_reset": 0, "V_th": vth, "tau": 10, "tau_ref": 0}}
	}
	full := func(name, pre, post string, sd float64) *ir.Projection {
		return &ir.Projection{Name: name, Pre: pre, Post: post, Conn: ir.Conn{Rule: ir.ConnFixedProb, Prob: 1},
			Weight: 1, WeightDist: &ir.Init{Kind: ir.InitNormal, A: 0, B: sd}, Kernel: "dense",
			Synapse: ir.Component{Model: "Expon", Params: map[string]float64{"tau": 5}}, Output: ir.Component{Model: "CUBA"}}
	}
	net := &ir.Network{Name: "classifier", Dt: 1, Duration: 40, Seed: 3,
		Populations: []*ir.Population{lif("In", 20, 1e6), lif("H", 32, 1), lif("Out", 3, 1e6)},
		Projections: []*ir.Projection{full("in2h", "In", "H", 2), full("h2out", "H", "Out", 1)}}
	data, err := dataset.Randman(dataset.RandmanOptions{Classes: 3, Units: 20, SamplesPerClass: 80, ManifoldDim: 1,
		Alpha: 2, Steps: 40, Dt: 1e-3, SpikesPerUnit: 1, Seed: 5})
	if err != nil {
		log.Fatal(err)
	}
	trainSet, testSet := data.Split(0.75, 1)
	s, _ := ops.NewSurrogate("fast_sigmoid", 10)
	_, epochs, err := brainc.TrainNetwork(context.Background(), net, bptt.Config{Batch: 20, Input: "In", Readout: "Out",
		ReadoutVar: "V", Reduce: signature.ReduceMax, Params: []string{"in2h.weight", "h2out.weight"}, Surrogate: s, LR: 0.05},
		40, trainSet, testSet, brainc.NetworkTrainOptions{Backend: "cpu", Epochs: 6, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("test accuracy ≥ 0.8:", epochs[len(epochs)-1].TestAccuracy >= 0.8)
	// Output: test accuracy ≥ 0.8: true
}
