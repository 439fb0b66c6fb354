"""The interactive Leaflet map (folium), one module per concept.

* :mod:`~geo.web.maps`: :func:`build_map` (coverage) and :func:`subregion_map`;
* :mod:`~geo.web.indicators`: choropleth classes; :mod:`~geo.web.legend`: legend and CSS;
* :mod:`~geo.web.geojson` (gminas) and :mod:`~geo.web.entities` (markers): the layers' data;
* :mod:`~geo.web.escape`: data made safe for HTML, Jinja and scripts;
* :mod:`~geo.web.simplify`: light, cached boundaries; :mod:`~geo.web.topojson` and
  :mod:`~geo.web.topo_layer`: one TopoJSON topology in the document;
* :mod:`~geo.web.assets`: Leaflet served locally; :mod:`~geo.web.document`: the rendered map.
"""
