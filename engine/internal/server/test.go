package server

import "appstore.local/engine/gen/hapi/services"

// RunReleaseTest is refused: Helm 4 reports test results only after all
// tests complete, while Tiller's protocol streams them as they run.
func (s *Server) RunReleaseTest(req *services.TestReleaseRequest, _ services.ReleaseService_RunReleaseTestServer) error {
	return s.fail("RunReleaseTest", req.GetName(), &unsupportedError{what: "running release tests over Tiller's streaming protocol"})
}
