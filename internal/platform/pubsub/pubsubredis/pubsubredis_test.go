package pubsubredis_test

import (
	"testing"

	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubredis"
	"github.com/marquee-cinema/marquee/internal/platform/pubsub/pubsubtest"
	"github.com/marquee-cinema/marquee/internal/platform/redistest"
)

// TestAcrossReplicas: two Redis buses on two clients stand for two replicas.
func TestAcrossReplicas(t *testing.T) {
	prefix := redistest.Prefix("pubsub")
	r1 := pubsubredis.New(redistest.Client(t, 0), prefix, nil)
	r2 := pubsubredis.New(redistest.Client(t, 0), prefix, nil)
	t.Cleanup(func() { _ = r1.Close(); _ = r2.Close() })
	pubsubtest.Run(t, r1, r2)
}
