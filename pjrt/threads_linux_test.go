package pjrt

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// restrictCPUs confines every thread of the process (checked in a child
// process, so that this one keeps its CPUs).
func TestRestrictCPUs(t *testing.T) {
	if os.Getenv("BRAINC_TEST_RESTRICT") == "1" {
		require.NoError(t, restrictCPUs(1))
		entries, err := os.ReadDir("/proc/self/task")
		require.NoError(t, err)
		for _, e := range entries {
			status, err := os.ReadFile("/proc/self/task/" + e.Name() + "/status")
			require.NoError(t, err)
			for _, line := range strings.Split(string(status), "\n") {
				if strings.HasPrefix(line, "Cpus_allowed_list:") {
					assert.NotContains(t, line, ",", "thread %s", e.Name())
					assert.NotContains(t, line, "-", "thread %s", e.Name())
				}
			}
		}
		return
	}
	var set unix.CPUSet
	require.NoError(t, unix.SchedGetaffinity(0, &set))
	if set.Count() < 2 {
		t.Logf("one CPU: restrictCPUs(1) changes nothing here")
	}
	require.NoError(t, restrictCPUs(0))
	require.NoError(t, restrictCPUs(set.Count()), "as many CPUs as there are: nothing to do")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestRestrictCPUs$", "-test.v")
	cmd.Env = append(os.Environ(), "BRAINC_TEST_RESTRICT=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "PASS")
}
