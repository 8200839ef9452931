package learn_test

import (
	"fmt"

	"github.com/brainc/brainc/dataset"
	"github.com/brainc/brainc/learn"
	"github.com/brainc/brainc/pjrt"
)

// Train a small recurrent spiking network on a two-class Random Manifold
// task: 20 input units, 32 hidden LIF neurons, 25 steps of 1 ms.
func ExampleTrainer() {
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu", CPUFlags: learn.CPUFlags})
	if err != nil {
		fmt.Println(err)
		return
	}
	o := dataset.DefaultRandman()
	o.Classes, o.Units, o.SamplesPerClass, o.Steps = 2, 20, 128, 25
	data, err := dataset.Randman(o)
	if err != nil {
		fmt.Println(err)
		return
	}
	trainSet, testSet := data.Split(0.75, 1)

	c := learn.DefaultConfig()
	c.Inputs, c.Hidden, c.Outputs, c.Steps = 20, 32, 2, 25
	c.InScale, c.Batch, c.Epochs, c.LR = 20, 32, 20, 5e-2
	tr, err := learn.NewTrainer(b, c)
	if err != nil {
		fmt.Println(err)
		return
	}
	reports := 0
	tr.OnBatch = func(epoch, done, batches int, loss float64) { reports++ }
	log, err := tr.Fit(trainSet, testSet, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	first, last := log[0], log[len(log)-1]
	fmt.Println("loss decreased:", last.Loss < first.Loss)
	fmt.Println("test accuracy ≥ 0.9:", last.TestAccuracy >= 0.9)
	fmt.Println("batches reported:", reports) // 20 epochs of 192 samples in batches of 32
	// Output:
	// loss decreased: true
	// test accuracy ≥ 0.9: true
	// batches reported: 120
}
