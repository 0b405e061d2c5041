package fakespotify

import (
	"fmt"
	"time"
)

// DemoApp is the app the demo mode registers. Its redirect URI has no port,
// so a loopback callback on any port matches.
var DemoApp = App{
	ClientID:     "0f7c3a9e5b2d4c6e8a1b3d5f7e9c2a4b",
	ClientSecret: "5e8d1c3b7a9f2e4d6c8b0a1f3e5d7c9b",
	Name:         "tokentray demo",
	RedirectURIs: []string{"http://127.0.0.1/callback"},
}

// DemoQueue is a fresh copy of the demo's play queue: invented tracks and
// artists, one podcast episode and one ad, each short enough that the tray
// visibly moves on during a demo.
func DemoQueue() []Item {
	track := func(id, name, album string, seconds int, artists ...string) Item {
		return Item{Kind: "track", ID: id, Name: name, Artists: artists, Album: album, Duration: time.Duration(seconds) * time.Second}
	}
	return []Item{
		track("4kQm2Tn8XvLpR7cJw1ZbYd", "Paper Lanterns Over Tide", "Harbour Lights Hum", 48, "Marrow & Finch"),
		track("7HsW3eNq0aUg5KyBt9MdPf", "Copper Skyline", "Static Bloom", 62, "The Velvet Orchards"),
		track("1PzVb6RcT2oXj8LmQe4HwN", "Northbound Static", "Night Ferry", 35, "Ilse Varga", "Tomo Reyes"),
		{Kind: "ad", Name: "Advertisement", Duration: 30 * time.Second},
		track("5GyD9kSa3FnWq1UiLr7CvE", "Glass Arcade Afternoon", "Glass Arcade", 75, "Pale Compasswork"),
		track("2JtR8mHx4BcNs6VoPa0KgZ", "Slow Orbit Café", "Orbit Sessions", 54, "Juniper Vale"),
		{Kind: "episode", ID: "6XeL1qBw9TzKd3RyMn5SgH", Name: "Episode 42: Why Every Queue Loops",
			Show: "The Tinkerer's Hour", Artists: []string{"Moth Lamp Media"}, Duration: 90 * time.Second},
		track("3NbF7wUe2YkPc9HdJs4AxQ", "Wires in the Meadow", "Fieldwork", 41, "Hollow Atlas Choir"),
		track("8VcM5pZr1LgTa7EoKw3BnU", "Saltwater Radio", "Low Tide FM", 88, "Desmond Kettle & the Drifts"),
		track("0QaH4sJy6DfXn2WbRt8MzC", "Afterglow Protocol", "Afterglow Protocol", 66, "Neon Thimble"),
	}
}

// StartDemo starts a fake with DemoApp registered and DemoQueue looping, listening on addr;
// the app's demo mode and `tokentray fake-spotify` use it.
func StartDemo(addr string, o Options) (*Server, error) {
	o.Loop = true
	srv := New(o)
	if err := srv.RegisterApp(DemoApp); err != nil {
		return nil, err
	}
	srv.Player().SetQueue(DemoQueue()...)
	if _, err := srv.Start(addr); err != nil {
		return nil, fmt.Errorf("starting the fake Spotify on %s: %w", addr, err)
	}
	return srv, nil
}
