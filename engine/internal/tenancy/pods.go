package tenancy

import "strings"

// PodAdmission asks the namespace's Pod Security admission about the pod a
// workload would make, without creating anything. It answers the refusal
// ("" when admitted); an error is a failure to ask.
type PodAdmission interface {
	Refusal(namespace string, template map[string]interface{}) (string, error)
}

// templatePaths are where the built-in workload kinds keep their pod
// template; a custom resource's pods are judged when its controller makes them.
var templatePaths = map[string][]string{
	"Pod":                   {},
	"Deployment":            {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
}

// PodTemplate is the pod (metadata and spec) a workload object makes, or nil.
func PodTemplate(kind string, obj map[string]interface{}) map[string]interface{} {
	path, ok := templatePaths[kind]
	if !ok {
		return nil
	}
	var at interface{} = obj
	for _, key := range path {
		m, ok := at.(map[string]interface{})
		if !ok {
			return nil
		}
		at = m[key]
	}
	template, ok := at.(map[string]interface{})
	if !ok {
		return nil
	}
	if _, ok := template["spec"].(map[string]interface{}); !ok {
		return nil
	}
	return template
}

// podRefusal words an admission refusal as the store does: the probe pod's
// name is noise.
func podRefusal(message string) string {
	if i := strings.Index(message, "violates PodSecurity"); i >= 0 {
		message = message[i:]
	}
	return "its pods would be refused: " + message
}
