"""The interactive Leaflet map (folium): indicators, GeoJSON/TopoJSON, legend, local assets."""
