package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// notifySignals subscribes c to the signals that stop a run, and
// stopSignals undoes it; exitNow ends the process. Variables, so that tests
// deliver their own signals and see the exit code.
var (
	notifySignals = func(c chan<- os.Signal) { signal.Notify(c, os.Interrupt, syscall.SIGTERM) }
	stopSignals   = func(c chan<- os.Signal) { signal.Stop(c) }
	exitNow       = os.Exit
)

// exitInterrupted is the exit code of a run ended by a signal (128 + SIGINT).
const exitInterrupted = 130

// interrupts watches SIGINT and SIGTERM during a run. The first closes
// Stop: the run ends at the next call boundary and writes what it recorded,
// marked partial. A second one exits at once while nothing is being
// written (nothing has been, so no partial file is left); during the write
// it waits for the write to finish.
type interrupts struct {
	sigs chan os.Signal
	// Stop is closed by the first signal.
	Stop    chan struct{}
	writing atomic.Bool
	done    chan struct{}
}

// watchInterrupts starts watching; close stops it.
func watchInterrupts(stderr io.Writer) *interrupts {
	i := &interrupts{sigs: make(chan os.Signal, 2), Stop: make(chan struct{}), done: make(chan struct{})}
	notifySignals(i.sigs)
	go i.loop(stderr)
	return i
}

func (i *interrupts) loop(stderr io.Writer) {
	n := 0
	for {
		select {
		case <-i.done:
			return
		case <-i.sigs:
			n++
			switch {
			case n == 1:
				fmt.Fprintln(stderr, "\nbrainc run: stopping at the next segment boundary to write what was recorded; interrupt again to quit at once")
				close(i.Stop)
			case i.writing.Load():
				fmt.Fprintln(stderr, "brainc run: writing the outputs; they are complete in a moment")
			default:
				fmt.Fprintln(stderr, "brainc run: quit; nothing was written")
				exitNow(exitInterrupted)
			}
		}
	}
}

// Writing marks the start of the outputs' write: a later signal no longer
// exits at once.
func (i *interrupts) Writing() { i.writing.Store(true) }

// close stops watching.
func (i *interrupts) close() {
	stopSignals(i.sigs)
	close(i.done)
}

// interruptedError is a run ended by a signal after Steps steps, its
// recording written, partial, to Out (exit code exitInterrupted).
type interruptedError struct {
	Steps int
	MS    float64
	Out   string
}

func (e *interruptedError) Error() string {
	return fmt.Sprintf("interrupted after step %d (t = %.10g ms): what was recorded up to there is in %s, marked \"complete\": false",
		e.Steps, e.MS, e.Out)
}
