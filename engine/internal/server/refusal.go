package server

import (
	"context"
	"encoding/json"
	"errors"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"appstore.local/engine/internal/tenancy"
)

// TenancyTrailer is the binary trailer that carries a tenancy refusal's
// objects as JSON ({"namespace", "offences": [{kind, name, namespace,
// reason, source}]}), so that a client can name each object without parsing the
// status message. The message stays Tiller-worded for clients that only read
// text.
const TenancyTrailer = "x-appstore-tenancy-bin"

type refusalJSON struct {
	Namespace string        `json:"namespace"`
	Offences  []offenceJSON `json:"offences"`
}

type offenceJSON struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Reason    string `json:"reason"`
	Source    string `json:"source,omitempty"`
}

// failChange is fail for the calls that apply objects: a tenancy refusal
// also travels as the TenancyTrailer.
func (s *Server) failChange(ctx context.Context, method, name string, err error) error {
	var refused *tenancy.RefusedError
	if errors.As(err, &refused) {
		body := refusalJSON{Namespace: refused.Namespace, Offences: make([]offenceJSON, len(refused.Offences))}
		for i, o := range refused.Offences {
			body.Offences[i] = offenceJSON{Kind: o.Kind, Name: o.Name, Namespace: o.Namespace, Reason: o.Reason, Source: o.Source}
		}
		if data, jerr := json.Marshal(body); jerr == nil {
			if terr := grpc.SetTrailer(ctx, metadata.Pairs(TenancyTrailer, string(data))); terr != nil {
				s.log.Warn("could not set the tenancy trailer", "error", terr.Error())
			}
		}
	}
	// Helm's own wait (hooks, -wait) ran out while the call itself still had time: Tiller's words for it, so that
	// the store tells a hook that never completes from an engine that does not answer.
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		err = &waitTimeoutError{err: err}
	}
	return s.fail(method, name, err)
}

// waitTimeoutError is a wait of Helm's (for hooks or resources) that ran out.
type waitTimeoutError struct{ err error }

func (e *waitTimeoutError) Error() string {
	return "timed out waiting for the condition: " + e.err.Error()
}
