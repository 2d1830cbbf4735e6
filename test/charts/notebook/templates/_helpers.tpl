{{/* "<release>-notebook", at most 63 characters. */}}
{{- define "notebook.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "notebook.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "notebook.labels" -}}
{{ include "notebook.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The contact the App Store passed, as an annotation. */}}
{{- define "notebook.contact" -}}
appstore.example.org/contact-email: {{ .Values.appstore_generated_data.appstore_meta_data.contact_email | quote }}
{{- end -}}

{{/* A pod that passes the restricted Pod Security Standard. */}}
{{- define "notebook.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 101
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{- define "notebook.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
{{- end -}}
