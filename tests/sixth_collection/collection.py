from partnerships.collections import Collection

from .models import Publication

PUBLICATIONS = Collection(
    model=Publication, name="publication", segment="publications", title="Publications"
)
