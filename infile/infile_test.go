package infile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestOpenRefusesWhatIsNotARegularFileOfBoundedSize(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path  string
		limit int64
		want  string
	}{
		{fifo, 100, "values file " + fifo + ": a named pipe (FIFO), not a regular file"},
		{link, 100, "values file " + link + ": a named pipe (FIFO), not a regular file"},
		{"/dev/zero", 100, "values file /dev/zero: a device, not a regular file"},
		{dir, 100, "values file " + dir + ": a directory, not a values file"},
		{small, 4, "values file " + small + ": larger than 4 bytes (4 bytes), the limit"},
		{small, 5, ""},
		{filepath.Join(dir, "none"), 5, "no such file or directory"},
	} {
		data, err := Read(tc.path, "values file", tc.limit)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case tc.want == "" && string(data) != "12345":
			t.Errorf("%s: read %q", tc.path, data)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.path, err, tc.want)
		}
	}
	if got := human(16 << 20); got != "16 MiB" {
		t.Errorf("human(16 MiB) = %q", got)
	}
}
