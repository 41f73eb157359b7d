#include "check_unit.h"
#include "rib.h"

Suite *
rib_suite(void)
{
	return suite_create("rib");
}
