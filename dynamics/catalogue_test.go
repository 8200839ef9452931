package dynamics_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/brainc/brainc/catalog"
	"github.com/brainc/brainc/dynamics"
)

// Every catalogue model has an implementation, built from its defaults, so
// `brainc run` accepts every model `brainc models` lists.
func TestEveryCatalogueModelIsImplemented(t *testing.T) {
	for _, m := range catalog.Models() {
		var err error
		switch m.Kind {
		case catalog.KindNeuron:
			_, err = dynamics.NewNeuron(m.Name, m.Defaults())
		case catalog.KindSynapse:
			if _, kinetic := dynamics.NewPreSynapse(m.Name, m.Defaults()); !kinetic && m.Name != dynamics.GapJunctionModel {
				_, err = dynamics.NewSynapse(m.Name, m.Defaults())
			}
		case catalog.KindOutput:
			_, err = dynamics.NewOutput(m.Name, m.Defaults())
		}
		assert.NoError(t, err, "%s %s", m.Kind, m.Name)
	}
	assert.GreaterOrEqual(t, len(catalog.Models()), 20)
}
