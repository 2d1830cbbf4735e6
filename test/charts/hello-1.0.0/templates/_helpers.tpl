{{/* vim: set filetype=mustache: */}}
{{/*
Full name of the release's objects: "<release>-hello", at most 63 characters
(the DNS label limit of Kubernetes names).
*/}}
{{- define "hello.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Chart label value: name-version. */}}
{{- define "hello.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels used by the selector: must never change between versions. */}}
{{- define "hello.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Common labels. */}}
{{- define "hello.labels" -}}
{{ include "hello.selectorLabels" . }}
helm.sh/chart: {{ include "hello.chart" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
