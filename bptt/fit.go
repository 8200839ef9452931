package bptt

import (
	"context"
	"fmt"
	"time"

	"github.com/brainc/brainc/dataset"
)

// Epoch is one epoch of Fit (a line of brainc train's metrics.jsonl).
type Epoch struct {
	// Epoch counts from 1.
	Epoch int `json:"epoch"`
	// Loss and TrainAccuracy are the means over the epoch's batches.
	Loss          float64 `json:"loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	// TestLoss and TestAccuracy are Evaluate's on the test set after it.
	TestLoss     float64 `json:"test_loss"`
	TestAccuracy float64 `json:"test_accuracy"`
	// Seconds is the epoch's wall time with the evaluation, StepMS the
	// mean training step in milliseconds.
	Seconds float64 `json:"seconds"`
	StepMS  float64 `json:"step_ms"`
	// LR is the epoch's learning rate (Config.Schedule).
	LR float64 `json:"lr"`
}

// Fit trains for epochs epochs over train in batches of Config.Batch
// (shuffled per epoch from seed; a remainder smaller than a batch is left
// out), evaluating on test after each, and calls onEpoch (when set) with
// each epoch. Cancelling ctx stops it between two batches: the epochs
// completed are returned with ctx's error (the parameters then include the
// batches of the epoch cut short).
func (t *Trainer) Fit(ctx context.Context, train, test *dataset.Set, epochs int, seed uint64, onEpoch func(Epoch)) ([]Epoch, error) {
	return t.FitFrom(ctx, train, test, 1, epochs, seed, onEpoch)
}

// FitFrom is Fit from epoch first to epoch last (a resumed training goes on
// from the epoch after its checkpoint's, with the same batch orders).
func (t *Trainer) FitFrom(ctx context.Context, train, test *dataset.Set, first, last int, seed uint64, onEpoch func(Epoch)) ([]Epoch, error) {
	if first < 1 || last < 0 {
		return nil, fmt.Errorf("bptt: epochs must be ≥ 0 from epoch 1 on, got %d to %d", first, last)
	}
	var log []Epoch
	for epoch := first; epoch <= last; epoch++ {
		t0 := time.Now()
		batches := train.Batches(t.cfg.Batch, true, seed, epoch)
		if len(batches) == 0 {
			return log, fmt.Errorf("bptt: the training set has %d samples, fewer than a batch of %d", len(train.Samples), t.cfg.Batch)
		}
		t.lr = t.cfg.Schedule.rate(t.cfg.LR, epoch, last)
		e := Epoch{Epoch: epoch, LR: t.lr}
		for _, idx := range batches {
			if err := ctx.Err(); err != nil {
				return log, err
			}
			st, err := t.TrainBatch(train, idx)
			if err != nil {
				return log, err
			}
			e.Loss += st.Loss / float64(len(batches))
			e.TrainAccuracy += st.Accuracy / float64(len(batches))
		}
		e.StepMS = 1000 * time.Since(t0).Seconds() / float64(len(batches))
		ev, err := t.Evaluate(test)
		if err != nil {
			return log, err
		}
		e.TestLoss, e.TestAccuracy, e.Seconds = ev.Loss, ev.Accuracy, time.Since(t0).Seconds()
		log = append(log, e)
		if onEpoch != nil {
			onEpoch(e)
		}
	}
	return log, nil
}
