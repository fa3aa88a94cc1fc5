"""A tiny URLconf for the page-cache tests: one page that reads the database."""

from django.http import HttpResponse
from django.urls import path

from archive.models import Participant


def names(request):
    return HttpResponse(", ".join(Participant.objects.values_list("name", flat=True)))


def private(request):
    response = HttpResponse("private")
    response["Cache-Control"] = "private"
    return response


urlpatterns = [path("names/", names), path("private/", private)]
