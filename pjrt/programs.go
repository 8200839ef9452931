package pjrt

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
)

// stableHLOLogPrefix starts the message in which GoMLX's XLA backend logs,
// at klog verbosity 2, the StableHLO program it hands to PJRT's compiler
// (gomlx backends/xla, Builder.Compile). GoMLX v0.26 has no API that returns
// the program text; this log call is the one place it is exposed.
const stableHLOLogPrefix = "StableHLO program:\n"

var captureMu sync.Mutex

// CaptureStableHLO runs compile, which must compile XLA programs through
// GoMLX's xla backend, and returns the StableHLO text of each program handed
// to PJRT during the call, in order. It raises klog's verbosity to 2 for the
// duration and routes klog through a sink that keeps those programs; other
// errors logged meanwhile still reach stderr. Calls are serialised.
func CaptureStableHLO(compile func() error) ([]string, error) {
	captureMu.Lock()
	defer captureMu.Unlock()
	sink := &programSink{}
	restore, err := captureLogs(sink)
	if err != nil {
		return nil, err
	}
	defer restore()
	if err := compile(); err != nil {
		return nil, err
	}
	if len(sink.programs) == 0 {
		return nil, errors.New("pjrt: no StableHLO program was logged while compiling " +
			"(GoMLX's xla backend logs it at klog verbosity 2; was the program already compiled?)")
	}
	return sink.programs, nil
}

// captureLogs raises klog's verbosity to 2 and routes klog through sink
// until restore is called. The caller holds captureMu.
func captureLogs(sink *programSink) (restore func(), err error) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	old := fs.Lookup("v").Value.String()
	klog.SetLogger(logr.New(sink))
	if err := fs.Set("v", "2"); err != nil {
		klog.ClearLogger()
		return nil, err
	}
	return func() {
		_ = fs.Set("v", old)
		klog.ClearLogger()
	}, nil
}

// programSink is a logr sink that keeps the StableHLO programs GoMLX logs.
// With abort set, it panics with errTraced at the first program, which stops
// the compile that logged it (klog releases its lock on the way out).
type programSink struct {
	mu       sync.Mutex
	programs []string
	abort    bool
}

func (s *programSink) Init(logr.RuntimeInfo) {}

func (s *programSink) Enabled(int) bool { return true }

func (s *programSink) Info(_ int, msg string, _ ...any) {
	if text, ok := strings.CutPrefix(msg, stableHLOLogPrefix); ok {
		text = strings.TrimSuffix(text, "\n")
		if s.abort {
			panic(errTraced{text})
		}
		s.mu.Lock()
		s.programs = append(s.programs, text)
		s.mu.Unlock()
	}
}

func (s *programSink) Error(err error, msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, "brainc:", msg, err, kv)
}

func (s *programSink) WithValues(...any) logr.LogSink { return s }

func (s *programSink) WithName(string) logr.LogSink { return s }
