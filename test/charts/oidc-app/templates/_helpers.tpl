{{/* "<release>-oidc-app", at most 63 characters. */}}
{{- define "oidc-app.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "oidc-app.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "oidc-app.labels" -}}
{{ include "oidc-app.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The OIDC client id the App Store generated, or "". */}}
{{- define "oidc-app.clientId" -}}
{{- $generated := .Values.appstore_generated_data | default dict -}}
{{- $dataporten := index $generated "dataporten" | default dict -}}
{{- index $dataporten "id" | default "" -}}
{{- end -}}
