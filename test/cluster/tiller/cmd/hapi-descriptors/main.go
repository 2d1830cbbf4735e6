// Command hapi-descriptors prints, as JSON, the protocol that Tiller v2.17.0
// is compiled with: every message's fields (name, number, type, label, type
// name), every enum's values and every service method of the hapi protos, read
// from the file descriptors registered by Helm's generated Go code.
//
// With -set FILE it prints the same summary of a FileDescriptorSet written by
// protoc (--descriptor_set_out), so that the appstore tests can compare
// proto/hapi with Tiller's own protocol through one and the same formatting.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io/ioutil"
	"log"
	"os"

	"github.com/golang/protobuf/proto"
	descpb "github.com/golang/protobuf/protoc-gen-go/descriptor"

	_ "k8s.io/helm/pkg/proto/hapi/chart"
	_ "k8s.io/helm/pkg/proto/hapi/release"
	_ "k8s.io/helm/pkg/proto/hapi/services"
	_ "k8s.io/helm/pkg/proto/hapi/version"
)

var files = []string{
	"hapi/chart/chart.proto",
	"hapi/chart/config.proto",
	"hapi/chart/metadata.proto",
	"hapi/chart/template.proto",
	"hapi/release/hook.proto",
	"hapi/release/info.proto",
	"hapi/release/release.proto",
	"hapi/release/status.proto",
	"hapi/release/test_run.proto",
	"hapi/release/test_suite.proto",
	"hapi/services/tiller.proto",
	"hapi/version/version.proto",
}

type field struct {
	Name     string `json:"name"`
	Number   int32  `json:"number"`
	Type     string `json:"type"`
	Label    string `json:"label"`
	TypeName string `json:"typeName,omitempty"`
}

type method struct {
	Input           string `json:"input"`
	Output          string `json:"output"`
	ServerStreaming bool   `json:"serverStreaming"`
	ClientStreaming bool   `json:"clientStreaming"`
}

type protocol struct {
	Messages map[string][]field          `json:"messages"`
	Enums    map[string]map[string]int32 `json:"enums"`
	Methods  map[string]method           `json:"methods"`
}

func main() {
	set := flag.String("set", "", "a FileDescriptorSet to summarise instead of Tiller's compiled-in protocol")
	flag.Parse()
	descriptors := registered
	if *set != "" {
		descriptors = func(name string) *descpb.FileDescriptorProto { return fromSet(*set, name) }
	}
	out := protocol{Messages: map[string][]field{}, Enums: map[string]map[string]int32{}, Methods: map[string]method{}}
	for _, name := range files {
		fd := descriptors(name)
		prefix := fd.GetPackage()
		for _, m := range fd.MessageType {
			addMessage(&out, prefix, m)
		}
		for _, e := range fd.EnumType {
			addEnum(&out, prefix, e)
		}
		for _, s := range fd.Service {
			for _, m := range s.Method {
				out.Methods[prefix+"."+s.GetName()+"/"+m.GetName()] = method{
					Input: m.GetInputType(), Output: m.GetOutputType(),
					ServerStreaming: m.GetServerStreaming(), ClientStreaming: m.GetClientStreaming(),
				}
			}
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		log.Fatal(err)
	}
}

// registered returns the descriptor Helm's generated Go code registered for a file.
func registered(name string) *descpb.FileDescriptorProto {
	gz := proto.FileDescriptor(name)
	if gz == nil {
		log.Fatalf("%s is not registered", name)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		log.Fatal(err)
	}
	raw, err := ioutil.ReadAll(r)
	if err != nil {
		log.Fatal(err)
	}
	var fd descpb.FileDescriptorProto
	if err := proto.Unmarshal(raw, &fd); err != nil {
		log.Fatal(err)
	}
	return &fd
}

// fromSet returns a file's descriptor from a protoc FileDescriptorSet.
func fromSet(path, name string) *descpb.FileDescriptorProto {
	raw, err := ioutil.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var set descpb.FileDescriptorSet
	if err := proto.Unmarshal(raw, &set); err != nil {
		log.Fatal(err)
	}
	for _, fd := range set.File {
		if fd.GetName() == name {
			return fd
		}
	}
	log.Fatalf("%s is not in %s", name, path)
	return nil
}

func addMessage(out *protocol, prefix string, m *descpb.DescriptorProto) {
	full := prefix + "." + m.GetName()
	fields := []field{}
	for _, f := range m.Field {
		fields = append(fields, field{Name: f.GetName(), Number: f.GetNumber(), Type: f.GetType().String(), Label: f.GetLabel().String(), TypeName: f.GetTypeName()})
	}
	out.Messages[full] = fields
	for _, nested := range m.NestedType {
		addMessage(out, full, nested)
	}
	for _, e := range m.EnumType {
		addEnum(out, full, e)
	}
}

func addEnum(out *protocol, prefix string, e *descpb.EnumDescriptorProto) {
	values := map[string]int32{}
	for _, v := range e.Value {
		values[v.GetName()] = v.GetNumber()
	}
	out.Enums[prefix+"."+e.GetName()] = values
}
