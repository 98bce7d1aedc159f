// OAuth 2.0 Form Post Response Mode: submit the answer to the client at once (the page also works without it).
document.getElementById("form-post")?.submit();
