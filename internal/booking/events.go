package booking

import (
	"context"
	"encoding/json"

	"github.com/marquee-cinema/marquee/internal/platform/errs"
	"github.com/marquee-cinema/marquee/internal/platform/ids"
)

// SeatChange is a seat's new status.
type SeatChange struct {
	SeatID string     `json:"s"`
	Status SeatStatus `json:"st"`
}

// SeatEvent is a batch of changes of one show's seats.
type SeatEvent struct {
	ShowID string       `json:"show"`
	Seats  []SeatChange `json:"seats"`
}

func topic(showID string) string { return "seats:" + showID }

// publish tells every watcher of the show, in every process sharing the bus. The Redis bus only
// queues the event here and sends it moments later. Failures are logged (those of the Redis
// bus's background sends by its error handler): the change itself has happened, and watchers
// recover on their next full seat map.
func (s *Service) publish(ctx context.Context, showID string, changes []SeatChange) {
	if len(changes) == 0 || s.bus == nil {
		return
	}
	b := appendSeatEvent(nil, SeatEvent{ShowID: showID, Seats: changes})
	if err := s.bus.Publish(context.WithoutCancel(ctx), topic(showID), b); err != nil {
		s.log.WarnContext(ctx, "publish seat changes", "show", showID, "error", err)
	}
}

// Watch returns the seat changes of a show until ctx ends. Events published before Watch
// returns are not delivered; callers read the seat map after subscribing.
func (s *Service) Watch(ctx context.Context, showID string) (<-chan SeatEvent, error) {
	if !ids.Valid(showID) {
		return nil, errs.Invalidf("showId", "%q is not a valid show id", showID)
	}
	if _, err := s.catalogue.Show(ctx, showID); err != nil {
		return nil, err
	}
	raw, cancel, err := s.bus.Subscribe(ctx, topic(showID))
	if err != nil {
		return nil, err
	}
	out := make(chan SeatEvent, 64)
	go func() {
		defer close(out)
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case b, ok := <-raw:
				if !ok {
					return
				}
				var ev SeatEvent
				if json.Unmarshal(b, &ev) != nil {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
