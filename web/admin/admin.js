/* commentd admin client */
"use strict";
