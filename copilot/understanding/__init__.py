"""What has one right answer in a request, found by code: numbers, units and relative or absolute phrasing."""
